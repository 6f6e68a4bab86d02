# Programs that run a model (LibTorch).
add_executable(greater_generate greater_generate.cpp)
target_link_libraries(greater_generate PRIVATE greater_model greater_tokenizer CLI11::CLI11 greater_warnings)

add_executable(greater_make_model greater_make_model.cpp)
target_link_libraries(greater_make_model PRIVATE greater_model CLI11::CLI11 greater_warnings)

# The main job: GReaTer over MPI ranks.
if(TARGET greater_optimizer)
  add_executable(greater_dist greater_dist.cpp job_runner.cpp)
  target_link_libraries(greater_dist PRIVATE greater_optimizer greater_job_options CLI11::CLI11
    greater_warnings)
  target_compile_definitions(greater_dist PRIVATE GREATER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GREATER_VERSION="${PROJECT_VERSION}")

  # Iterations timed against the machine's floor (not a test).
  add_executable(greater_bench greater_bench.cpp bench_support.cpp)
  target_link_libraries(greater_bench PRIVATE greater_optimizer greater_demo_tasks CLI11::CLI11
    greater_warnings)
endif()

if(TARGET greater_record)
  add_executable(greater_inspect greater_inspect.cpp)
  target_link_libraries(greater_inspect PRIVATE greater_record CLI11::CLI11 greater_warnings)
endif()
