#include "h5.h"

#include <cstring>

#include "greater/common/error.h"

namespace greater::record {

void Hid::reset() {
  if (id_ < 0) return;
  hid_t id = release();
  switch (H5Iget_type(id)) {
    case H5I_FILE:
      H5Fclose(id);
      break;
    case H5I_GROUP:
      H5Gclose(id);
      break;
    case H5I_DATASET:
      H5Dclose(id);
      break;
    case H5I_ATTR:
      H5Aclose(id);
      break;
    case H5I_DATASPACE:
      H5Sclose(id);
      break;
    case H5I_DATATYPE:
      H5Tclose(id);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id);
      break;
    default:
      H5Idec_ref(id);
      break;
  }
}

QuietHdf5Errors::QuietHdf5Errors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietHdf5Errors::~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

namespace {

struct ReasonWalk {
  std::string innermost, outermost;
};

herr_t collect_reason(unsigned n, const H5E_error2_t* error, void* data) {
  auto* walk = static_cast<ReasonWalk*>(data);
  std::string desc = error->desc ? error->desc : "";
  if (n == 0) walk->innermost = desc;
  walk->outermost = desc;
  return 0;
}

}  // namespace

std::string hdf5_reason() {
  ReasonWalk walk;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_reason, &walk);
  if (walk.outermost.empty() || walk.outermost == walk.innermost) return walk.innermost;
  return walk.outermost + " (" + walk.innermost + ")";
}

hid_t check_id(hid_t id, const std::string& where, const std::string& what) {
  if (id < 0) {
    std::string reason = hdf5_reason();
    throw Error(where, reason.empty() ? what : what + ": " + reason);
  }
  return id;
}

void check(herr_t status, const std::string& where, const std::string& what) {
  if (status < 0) {
    std::string reason = hdf5_reason();
    throw Error(where, reason.empty() ? what : what + ": " + reason);
  }
}

Hid fixed_text_type(size_t bytes) {
  Hid type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), bytes == 0 ? 1 : bytes);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

Hid vlen_text_type() {
  Hid type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

Hid bool_type() {
  Hid type(H5Tenum_create(H5T_NATIVE_INT8));
  int8_t value = 0;
  H5Tenum_insert(type.get(), "FALSE", &value);
  value = 1;
  H5Tenum_insert(type.get(), "TRUE", &value);
  return type;
}

namespace {

Hid open_or_create_attr(hid_t object, const std::string& name, hid_t type, hid_t space,
                        const std::string& where) {
  if (has_attr(object, name)) {
    return Hid(check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), where,
                        "cannot open attribute " + name));
  }
  return Hid(check_id(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                      where, "cannot create attribute " + name));
}

void write_scalar_attr(hid_t object, const std::string& name, hid_t file_type, hid_t mem_type,
                       const void* value, const std::string& where) {
  Hid space(H5Screate(H5S_SCALAR));
  Hid attr = open_or_create_attr(object, name, file_type, space.get(), where);
  check(H5Awrite(attr.get(), mem_type, value), where, "cannot write attribute " + name);
}

}  // namespace

void write_text_attr(hid_t object, const std::string& name, const std::string& value,
                     const std::string& where) {
  Hid type = vlen_text_type();
  const char* text = value.c_str();
  write_scalar_attr(object, name, type.get(), type.get(), &text, where);
}

void write_text_list_attr(hid_t object, const std::string& name,
                          const std::vector<std::string>& values, const std::string& where) {
  Hid type = vlen_text_type();
  hsize_t n = values.size();
  Hid space(H5Screate_simple(1, &n, nullptr));
  std::vector<const char*> texts;
  for (const std::string& value : values) texts.push_back(value.c_str());
  Hid attr = open_or_create_attr(object, name, type.get(), space.get(), where);
  check(H5Awrite(attr.get(), type.get(), texts.data()), where, "cannot write attribute " + name);
}

void write_int64_attr(hid_t object, const std::string& name, int64_t value,
                      const std::string& where) {
  write_scalar_attr(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, where);
}

void write_uint64_attr(hid_t object, const std::string& name, uint64_t value,
                       const std::string& where) {
  write_scalar_attr(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, where);
}

void write_fixed_text_attr(hid_t object, const std::string& name, const std::string& value,
                           size_t bytes, const std::string& where) {
  if (value.size() > bytes) {
    throw Error(where, "attribute " + name + " holds at most " + std::to_string(bytes) +
                           " bytes, got " + std::to_string(value.size()));
  }
  Hid type = fixed_text_type(bytes);
  std::vector<char> buffer(bytes, '\0');
  std::memcpy(buffer.data(), value.data(), value.size());
  write_scalar_attr(object, name, type.get(), type.get(), buffer.data(), where);
}

bool has_attr(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

namespace {

herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

Hid open_attr(hid_t object, const std::string& name, const std::string& where) {
  if (!has_attr(object, name)) throw Error(where, "missing attribute " + name);
  return Hid(
      check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), where, "cannot open attribute " + name));
}

}  // namespace

std::vector<std::string> attr_names(hid_t object, const std::string& where) {
  std::vector<std::string> names;
  check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attr_name, &names), where,
        "cannot list attributes");
  return names;
}

std::string read_text_attr(hid_t object, const std::string& name, const std::string& where) {
  Hid attr = open_attr(object, name, where);
  Hid type(check_id(H5Aget_type(attr.get()), where, "cannot read the type of " + name));
  if (H5Tget_class(type.get()) != H5T_STRING) throw Error(where, name + " is not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    Hid mem = vlen_text_type();
    char* text = nullptr;
    check(H5Aread(attr.get(), mem.get(), &text), where, "cannot read attribute " + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  size_t bytes = H5Tget_size(type.get());
  Hid mem = fixed_text_type(bytes);
  std::string value(bytes, '\0');
  check(H5Aread(attr.get(), mem.get(), value.data()), where, "cannot read attribute " + name);
  while (!value.empty() && value.back() == '\0') value.pop_back();
  return value;
}

std::vector<std::string> read_text_list_attr(hid_t object, const std::string& name,
                                             const std::string& where) {
  Hid attr = open_attr(object, name, where);
  Hid space(check_id(H5Aget_space(attr.get()), where, "cannot read the shape of " + name));
  hssize_t n = H5Sget_simple_extent_npoints(space.get());
  Hid mem = vlen_text_type();
  std::vector<char*> texts(static_cast<size_t>(n > 0 ? n : 0), nullptr);
  if (texts.empty()) return {};
  check(H5Aread(attr.get(), mem.get(), texts.data()), where, "cannot read attribute " + name);
  std::vector<std::string> values;
  for (char* text : texts) {
    values.push_back(text ? text : "");
    H5free_memory(text);
  }
  return values;
}

int64_t read_int64_attr(hid_t object, const std::string& name, const std::string& where) {
  Hid attr = open_attr(object, name, where);
  int64_t value = 0;
  check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value), where, "cannot read attribute " + name);
  return value;
}

uint64_t read_uint64_attr(hid_t object, const std::string& name, const std::string& where) {
  Hid attr = open_attr(object, name, where);
  uint64_t value = 0;
  check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &value), where, "cannot read attribute " + name);
  return value;
}

Hid run_file_access(bool clear_status_flags, const std::string& where) {
  Hid fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), where, "cannot create access properties"));
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), where,
        "cannot select the latest file format");
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), where, "cannot set close degree");
  if (clear_status_flags) {
    // The library's own property behind `h5clear -s` (HDF5 1.10 and later): the superblock's
    // write flags are zeroed in memory before the "already open for write" check; a
    // read-write open then writes the cleared flags back, a read-only open changes nothing.
    hbool_t clear = true;
    check(H5Pset(fapl.get(), "clear_status_flags", &clear), where,
          "this HDF5 has no 'clear_status_flags' property");
  }
  return fapl;
}

}  // namespace greater::record
