// ggml tensor types to float32 (docs/GGUF.md): the float types, and the legacy 32-value block
// quantizations Q8_0 = {f16 d; i8 q[32]}, Q4_0 = {f16 d; u8 qs[16]}, Q4_1 = {f16 d; f16 m;
// u8 qs[16]}. In the 4-bit types the low nibbles of qs are values 0..15 of the block and the
// high nibbles values 16..31.
#include <cstring>

#include "greater/common/error.h"
#include "greater/model/gguf.h"

namespace greater {

namespace {

float f16_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: value = mantissa * 2^-24, exact in float32
      float f = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
      std::memcpy(&bits, &f, 4);
      bits |= sign;
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

uint16_t load_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

float bf16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

void dequantize_q4(const uint8_t* block, bool with_min, float* out) {
  const float d = f16_to_float(load_u16(block));
  const float m = with_min ? f16_to_float(load_u16(block + 2)) : 0.0f;
  const uint8_t* qs = block + (with_min ? 4 : 2);
  const int offset = with_min ? 0 : 8;  // Q4_0 centres its nibbles on 8
  for (int j = 0; j < 16; ++j) {
    out[j] = d * static_cast<float>((qs[j] & 15) - offset) + m;
    out[j + 16] = d * static_cast<float>((qs[j] >> 4) - offset) + m;
  }
}

}  // namespace

std::vector<float> dequantize(const GgufTensor& t, const std::string& file) {
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<float> out(n);
  const uint8_t* p = t.data;
  if (p == nullptr) throw Error(file + ": tensor " + t.name, "has no data");
  switch (t.type) {
    case GgmlType::F32:
      std::memcpy(out.data(), p, n * 4);
      break;
    case GgmlType::F16:
      for (size_t i = 0; i < n; ++i) out[i] = f16_to_float(load_u16(p + 2 * i));
      break;
    case GgmlType::BF16:
      for (size_t i = 0; i < n; ++i) out[i] = bf16_to_float(load_u16(p + 2 * i));
      break;
    case GgmlType::Q8_0:
      for (size_t b = 0; b < n / 32; ++b) {
        const uint8_t* block = p + b * 34;
        const float d = f16_to_float(load_u16(block));
        for (int j = 0; j < 32; ++j)
          out[b * 32 + j] = d * static_cast<float>(static_cast<int8_t>(block[2 + j]));
      }
      break;
    case GgmlType::Q4_0:
      for (size_t b = 0; b < n / 32; ++b) dequantize_q4(p + b * 18, false, &out[b * 32]);
      break;
    case GgmlType::Q4_1:
      for (size_t b = 0; b < n / 32; ++b) dequantize_q4(p + b * 20, true, &out[b * 32]);
      break;
    default:
      throw Error(file + ": tensor " + t.name, "cannot dequantize " + ggml_type_name(t.type));
  }
  return out;
}

}  // namespace greater
