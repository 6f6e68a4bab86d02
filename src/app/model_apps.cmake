# Programs that run a model (LibTorch).
add_executable(greater_generate greater_generate.cpp)
target_link_libraries(greater_generate PRIVATE greater_model greater_tokenizer CLI11::CLI11 greater_warnings)

add_executable(greater_make_model greater_make_model.cpp)
target_link_libraries(greater_make_model PRIVATE greater_model CLI11::CLI11 greater_warnings)
