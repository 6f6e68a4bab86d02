# The LibTorch side of the model module.
add_library(greater_model transformer.cpp kv_cache.cpp rope.cpp tensor_convert.cpp model_io.cpp
  generation.cpp runtime.cpp compute_counter.cpp scored_generation.cpp token_tensor.cpp)
target_include_directories(greater_model PUBLIC ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(greater_model PUBLIC greater_checkpoint ${TORCH_LIBRARIES} PRIVATE greater_warnings)
# ATen's headers cost tens of seconds per file; compile them once. grad_mode.h (at::GradMode,
# at::AutoGradMode) came with ATen.h in LibTorch 1.13 but not in 2.x.
target_precompile_headers(greater_model PUBLIC <ATen/ATen.h> <ATen/core/grad_mode.h>)
# scaled_dot_product_attention with grouped-query heads (enable_gqa) arrived in LibTorch 2.5;
# older LibTorch (Debian's 1.13) runs the attention written out in transformer.cpp only.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.5)
  target_compile_definitions(greater_model PRIVATE GREATER_HAVE_FUSED_ATTENTION=1)
endif()
