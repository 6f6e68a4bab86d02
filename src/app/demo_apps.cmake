# greater_train_demo: trains the shipped demo model (models/demo-reasoner), writes its task files.
add_executable(greater_train_demo greater_train_demo.cpp)
target_link_libraries(greater_train_demo PRIVATE greater_demo greater_model CLI11::CLI11
  greater_warnings)
