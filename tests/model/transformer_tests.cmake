# --- LibTorch transformer (included from tests/CMakeLists.txt) ---
greater_add_test(test_model_runtime
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_transformer_parity.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_generation.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_model_loading.cpp
  LIBS greater_model)
