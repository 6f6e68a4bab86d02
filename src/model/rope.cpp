#include "greater/model/rope.h"

#include <cmath>

namespace greater {

at::Tensor rope_inverse_frequencies(const RopeConfig& rope, int64_t head_dim) {
  const at::Tensor exponents =
      at::arange(0, head_dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(head_dim);
  at::Tensor inv_freq = 1.0 / at::pow(at::scalar_tensor(rope.theta, at::kFloat), exponents);
  if (rope.type != "llama3") return inv_freq;

  // Long wavelengths are slowed by `factor`, short ones kept, the band between blended.
  const double original = static_cast<double>(rope.original_max_position_embeddings);
  const double low_wavelength = original / rope.low_freq_factor;
  const double high_wavelength = original / rope.high_freq_factor;
  const at::Tensor wavelength = 2.0 * M_PI / inv_freq;
  at::Tensor scaled = at::where(wavelength > low_wavelength, inv_freq / rope.factor, inv_freq);
  const at::Tensor smooth = (original / wavelength - rope.low_freq_factor) /
                            (rope.high_freq_factor - rope.low_freq_factor);
  const at::Tensor blended = (1.0 - smooth) * scaled / rope.factor + smooth * scaled;
  const at::Tensor medium = (wavelength < high_wavelength)
                                .logical_not()
                                .logical_and((wavelength > low_wavelength).logical_not());
  return at::where(medium, blended, scaled);
}

}  // namespace greater
