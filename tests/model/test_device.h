// The device the LibTorch model tests run on: the CPU, unless the environment variable
// GREATER_TEST_DEVICE names another ("cuda", "cuda:1"). scripts/gpu_check.sh sets it on a GPU
// machine, so the same assertions check the CUDA path. Results are compared on the CPU.
#pragma once

#include <cstdlib>
#include <string>

#include <ATen/ATen.h>

namespace greater::test {

inline at::Device test_device() {
  const char* name = std::getenv("GREATER_TEST_DEVICE");
  return at::Device(std::string(name != nullptr && *name != '\0' ? name : "cpu"));
}

// A model folder under tests/fixtures/models/.
inline std::string fixture_model(const std::string& name) {
  return std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/models/" + name;
}

}  // namespace greater::test
