# --- LibTorch transformer (included from tests/CMakeLists.txt) ---
greater_add_test(test_model_runtime
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_transformer_parity.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_generation.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_model_loading.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_fused_attention.cpp
  LIBS greater_model)

# Batches that do not fit in memory run in parts: a test lowers its own address-space limit, so
# it has a binary of its own (no other test shares the process by accident).
greater_add_test(test_memory_backoff
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_memory_backoff.cpp
  LIBS greater_model)

# SmolLM2-135M-Instruct (GGUF) against transformers: scripts/get_smollm2.sh fetches the model.
greater_add_test(test_smollm2_parity
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_smollm2_parity.cpp
  LIBS greater_model
  LABELS real_model)  # one label: greater_add_test keeps only the first of a list

# Against Hugging Face transformers' own outputs (tests/fixtures/hf, scripts/make_hf_fixtures.py).
greater_add_test(test_hf_parity
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hf_parity.cpp
  LIBS greater_model
  LABELS model)
