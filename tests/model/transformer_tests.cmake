# --- LibTorch transformer (included from tests/CMakeLists.txt) ---
greater_add_test(test_model_runtime
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_transformer_parity.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_generation.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_model_loading.cpp
  LIBS greater_model)

# Against Hugging Face transformers' own outputs (tests/fixtures/hf, scripts/make_hf_fixtures.py).
greater_add_test(test_hf_parity
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hf_parity.cpp
  LIBS greater_model
  LABELS model)
