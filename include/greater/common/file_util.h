// Small checked file helpers: every failure names the file.
#pragma once

#include <string>

namespace greater {

// Whole file as bytes; throws greater::Error naming the path when it cannot be read.
std::string read_file(const std::string& path);

// Writes through a temporary file and a rename, so a reader never sees half a file.
void write_file_atomic(const std::string& path, const std::string& bytes);

bool file_exists(const std::string& path);
bool is_directory(const std::string& path);

// mkdir -p; throws greater::Error naming the folder that cannot be made.
void make_directories(const std::string& path);

// "a/b" + "c" -> "a/b/c".
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace greater
