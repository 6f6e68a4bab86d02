// Thin checked helpers over the HDF5 C API for the run file: owned ids, errors that name the
// file and carry HDF5's own reason, and the few types and attributes the layout needs.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace greater::record {

// Owns one HDF5 id (file, group, dataset, attribute, dataspace, datatype or property list) and
// closes it with the matching H5?close.
class Hid {
 public:
  Hid() = default;
  explicit Hid(hid_t id) : id_(id) {}
  Hid(Hid&& other) noexcept : id_(other.release()) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.release();
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  hid_t release() {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's automatic printing of its error stack while alive: failures become
// greater::Error carrying HDF5's reason instead of a page of stack on stderr.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors();
  ~QuietHdf5Errors();
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// The innermost description on HDF5's current error stack ("file is already open for write
// ..."), or "" when the stack is empty. Call it right after the failing call.
std::string hdf5_reason();

// Throw greater::Error(where, what + ": " + hdf5_reason()) when the call failed.
hid_t check_id(hid_t id, const std::string& where, const std::string& what);
void check(herr_t status, const std::string& where, const std::string& what);

// Fixed-length NUL-padded UTF-8 string of `bytes` bytes (bytes >= 1).
Hid fixed_text_type(size_t bytes);
// Variable-length UTF-8 string (only for attributes written before SWMR starts).
Hid vlen_text_type();
// h5py's boolean: an int8 enum with FALSE = 0 and TRUE = 1, read by h5py as numpy bool.
Hid bool_type();

// Root and dataset attributes. Written once at creation: variable-length strings.
void write_text_attr(hid_t object, const std::string& name, const std::string& value,
                     const std::string& where);
void write_text_list_attr(hid_t object, const std::string& name,
                          const std::vector<std::string>& values, const std::string& where);
void write_int64_attr(hid_t object, const std::string& name, int64_t value,
                      const std::string& where);
void write_uint64_attr(hid_t object, const std::string& name, uint64_t value,
                       const std::string& where);
// Rewritable under SWMR: a fixed-length string attribute of `bytes` bytes, created if absent
// (creation only before SWMR starts). `value` must fit.
void write_fixed_text_attr(hid_t object, const std::string& name, const std::string& value,
                           size_t bytes, const std::string& where);

bool has_attr(hid_t object, const std::string& name);
std::vector<std::string> attr_names(hid_t object, const std::string& where);
// Any string attribute (fixed or variable length), without trailing NUL padding.
std::string read_text_attr(hid_t object, const std::string& name, const std::string& where);
std::vector<std::string> read_text_list_attr(hid_t object, const std::string& name,
                                             const std::string& where);
int64_t read_int64_attr(hid_t object, const std::string& name, const std::string& where);
uint64_t read_uint64_attr(hid_t object, const std::string& name, const std::string& where);

// File access properties every run-file open uses: latest format (SWMR needs v110 metadata),
// strong close. clear_status_flags asks the library to ignore and reset the superblock's
// "open for write" flags left by a writer that died (what `h5clear -s` does).
Hid run_file_access(bool clear_status_flags, const std::string& where);

}  // namespace greater::record
