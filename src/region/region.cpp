// Region backings: memfd, POSIX shm, files, devices, host fds, host memory.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "region/host_views.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

// Largest region size or file offset + size: what off_t (and so mmap, ftruncate) can name.
constexpr uint64_t kMaxFileBytes = static_cast<uint64_t>(INT64_MAX);

uint64_t round_up_to_page(uint64_t n) {
  uint64_t page = host_page_size();
  return (n + page - 1) / page * page;
}

// Refuses a size (after rounding up to the page size) or an offset + size beyond what a
// file can hold, before anything is opened or created: unsigned arithmetic must never wrap
// a "-4096" into a small number.
void check_range(uint64_t offset, uint64_t size, const std::string& what) {
  uint64_t page = host_page_size();
  if (size <= kMaxFileBytes - page && offset <= kMaxFileBytes - page - size) return;
  std::string range = offset == 0 ? "size " + std::to_string(size)
                                  : "offset " + std::to_string(offset) + " + size " + std::to_string(size);
  throw RegionError(wasi::kEinval, what + ": " + range + " is too large (at most " +
                                       std::to_string(kMaxFileBytes - page) + " bytes)");
}

[[noreturn]] void fail_errno(const std::string& what) {
  int err = errno;
  throw RegionError(wasi::errno_from_host(err), what + ": " + std::strerror(err));
}

void check_offset(uint64_t offset, const std::string& what) {
  if (offset % host_page_size() != 0)
    throw RegionError(wasi::kEinval, what + ": offset " + std::to_string(offset) +
                                         " is not a multiple of the page size (" +
                                         std::to_string(host_page_size()) + ")");
}

uint64_t file_size(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

const char* to_string(Access a) { return a == Access::Read ? "ro" : "rw"; }

uint64_t parse_size(const std::string& text) {
  if (text.empty()) throw Error("empty size");
  // Decimal or 0x-hex digits only: strtoull alone would accept "-1" (as 2^64-1), leading
  // blanks and octal.
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  size_t digits_at = hex ? 2 : 0;
  auto is_digit = [hex](char c) { return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : c >= '0' && c <= '9'; };
  if (digits_at >= text.size() || !is_digit(text[digits_at]))
    throw Error("bad size '" + text + "': expected digits (decimal or 0x-hex), optionally K, M or G");
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str() + digits_at, &end, hex ? 16 : 10);
  if (errno) throw Error("size '" + text + "' is too large");
  std::string suffix(end);
  uint64_t mul = 1;
  if (suffix == "K" || suffix == "k") mul = 1ull << 10;
  else if (suffix == "M" || suffix == "m") mul = 1ull << 20;
  else if (suffix == "G" || suffix == "g") mul = 1ull << 30;
  else if (!suffix.empty()) throw Error("bad size suffix in '" + text + "' (use K, M or G)");
  if (v > (UINT64_MAX / mul)) throw Error("size '" + text + "' is too large");
  return v * mul;
}

Region::Region(Backing b, std::string name, int fd, uint64_t offset, uint64_t size, bool writable)
    : backing_(b), name_(std::move(name)), fd_(fd), file_offset_(offset), size_(size),
      writable_(writable), backed_bytes_(size) {}

Region::~Region() {
  if (host_map_ && owns_host_map_) {
    remove_host_view(host_map_);
    munmap(host_map_, size_);
  }
  if (fd_ >= 0) close(fd_);
}

uint8_t* Region::data() {
  if (host_map_) return host_map_;
  int prot = PROT_READ | (writable_ ? PROT_WRITE : 0);
  void* p = mmap(nullptr, size_, prot, MAP_SHARED, fd_, static_cast<off_t>(file_offset_));
  if (p == MAP_FAILED) fail_errno("cannot map region '" + name_ + "' into the host");
  host_map_ = static_cast<uint8_t*>(p);
  add_host_view(HostView{host_map_, size_, fd_, file_offset_, writable_, name_});
  return host_map_;
}

void Region::read_bytes(uint64_t offset, void* out, uint64_t len) {
  auto* dst = static_cast<uint8_t*>(out);
  if (!mappable()) {
    uint64_t present = offset < host_bytes_ ? std::min(len, host_bytes_ - offset) : 0;
    if (present) std::memcpy(dst, host_map_ + offset, present);
    std::memset(dst + present, 0, len - present);
    return;
  }
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd_, dst + done, len - done, static_cast<off_t>(file_offset_ + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot copy from region '" + name_ + "'");
    if (n == 0 && offset + done >= backed_bytes_) {  // the zeros past a file's end in its last page
      std::memset(dst + done, 0, len - done);
      return;
    }
    if (n == 0)
      throw RegionError(wasi::kEio, "cannot copy from region '" + name_ + "': its backing ends at " +
                                        std::to_string(file_offset_ + offset + done) +
                                        " bytes, inside the window (truncated?)");
    done += static_cast<uint64_t>(n);
  }
}

void Region::write_bytes(uint64_t offset, const void* in, uint64_t len) {
  const auto* src = static_cast<const uint8_t*>(in);
  if (!mappable()) {
    uint64_t present = offset < host_bytes_ ? std::min(len, host_bytes_ - offset) : 0;
    if (present) std::memcpy(host_map_ + offset, src, present);
    return;
  }
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd_, src + done, len - done, static_cast<off_t>(file_offset_ + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot copy back to region '" + name_ + "'");
    if (n == 0) throw RegionError(wasi::kEio, "cannot copy back to region '" + name_ + "': no progress");
    done += static_cast<uint64_t>(n);
  }
}

std::shared_ptr<Region> Region::from_host_memory(void* data, uint64_t size, bool writable,
                                                 const std::string& name) {
  if (!data) throw RegionError(wasi::kEinval, "host memory region '" + name + "': null pointer");
  if (size == 0) throw RegionError(wasi::kEinval, "host memory region '" + name + "': size must not be 0");
  check_range(0, size, "host memory region '" + name + "'");
  auto r = std::shared_ptr<Region>(
      new Region(Backing::HostMemory, name, -1, 0, round_up_to_page(size), writable));
  r->host_map_ = static_cast<uint8_t*>(data);
  r->owns_host_map_ = false;
  r->host_bytes_ = size;
  return r;
}

std::shared_ptr<Region> Region::from_region_memory(void* data, uint64_t size, bool writable,
                                                   const std::string& name) {
  const std::string who = "host buffer '" + name + "'";
  if (!data || size == 0) throw RegionError(wasi::kEinval, who + ": null pointer or size 0");
  check_range(0, size, who);
  const uint64_t bytes = round_up_to_page(size);
  HostView view;
  int fd = -1;
  if (!find_host_view(data, bytes, &view, &fd)) {
    char at[32];
    std::snprintf(at, sizeof at, "%p", data);
    throw RegionError(wasi::kEinval,
                      who + " at " + at + " (" + std::to_string(bytes) + " bytes) is not memory of a live Aperture "
                      "region, so it cannot be mapped into a wasm memory (zero-copy); allocate the buffer from a "
                      "region (Region::create_memfd(...)->data(), aperture_region_data) or pass its file "
                      "descriptor (Region::from_fd, aperture_region_from_fd)");
  }
  const uint64_t from = static_cast<uint64_t>(static_cast<const uint8_t*>(data) - view.base);
  std::string problem;
  if (from % host_page_size())
    problem = "must start at a page boundary of region '" + view.name + "' (it starts " + std::to_string(from) +
              " bytes into it)";
  else if (writable && !view.writable)
    problem = "lies in read-only region '" + view.name + "'";
  if (!problem.empty()) {
    close(fd);
    throw RegionError(writable && !view.writable ? wasi::kEacces : wasi::kEinval, who + " " + problem);
  }
  return std::shared_ptr<Region>(new Region(Backing::Fd, name, fd, view.file_offset + from, bytes, writable));
}

std::shared_ptr<Region> Region::create_memfd(uint64_t size, const std::string& name) {
  if (size == 0) throw RegionError(wasi::kEinval, "region '" + name + "': size must not be 0");
  check_range(0, size, "region '" + name + "'");
  size = round_up_to_page(size);
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (fd < 0) fail_errno("memfd_create for region '" + name + "'");
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    fail_errno("cannot size region '" + name + "'");
  }
  return std::shared_ptr<Region>(new Region(Backing::Memfd, name, fd, 0, size, true));
}

std::shared_ptr<Region> Region::create_anonymous(uint64_t size, const std::string& name) {
  auto r = create_memfd(size, name);
  r->backing_ = Backing::Anonymous;
  return r;
}

std::shared_ptr<Region> Region::create_shm(const std::string& shm_name, uint64_t size) {
  if (shm_name.size() < 2 || shm_name[0] != '/' || shm_name.find('/', 1) != std::string::npos)
    throw RegionError(wasi::kEinval, "shm name '" + shm_name + "' must look like /NAME");
  if (size == 0) throw RegionError(wasi::kEinval, "shm region '" + shm_name + "': size must not be 0");
  check_range(0, size, "shm region '" + shm_name + "'");
  size = round_up_to_page(size);
  int fd = shm_open(shm_name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("cannot create shm region '" + shm_name + "'");
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(shm_name.c_str());
    errno = err;
    fail_errno("cannot size shm region '" + shm_name + "'");
  }
  return std::shared_ptr<Region>(new Region(Backing::Shm, shm_name, fd, 0, size, true));
}

std::shared_ptr<Region> Region::open_shm(const std::string& shm_name, uint64_t size, bool writable) {
  check_range(0, size, "shm region '" + shm_name + "'");
  int fd = shm_open(shm_name.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("cannot open shm region '" + shm_name + "'");
  uint64_t actual = file_size(fd);
  if (size == 0) size = actual;
  size = round_up_to_page(size);
  if (size == 0 || size > round_up_to_page(actual)) {
    close(fd);
    throw RegionError(wasi::kEinval, "shm region '" + shm_name + "' has " + std::to_string(actual) +
                                         " bytes, asked for " + std::to_string(size));
  }
  return std::shared_ptr<Region>(new Region(Backing::Shm, shm_name, fd, 0, size, writable));
}

void Region::remove_shm(const std::string& shm_name) {
  if (shm_unlink(shm_name.c_str()) != 0) fail_errno("cannot remove shm region '" + shm_name + "'");
}

std::shared_ptr<Region> Region::open_file(const std::string& path, uint64_t offset, uint64_t size,
                                          bool create, bool writable) {
  check_offset(offset, "file region '" + path + "'");
  check_range(offset, size, "file region '" + path + "'");
  int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | (create ? O_CREAT : 0);
  int fd = open(path.c_str(), flags, 0600);
  if (fd < 0) fail_errno("cannot open file region '" + path + "'");
  uint64_t actual = file_size(fd);
  if (size == 0) size = actual > offset ? actual - offset : 0;
  size = round_up_to_page(size);
  if (size == 0) {
    close(fd);
    throw RegionError(wasi::kEinval, "file region '" + path + "' is empty: give size=N (and create)");
  }
  // The file may end inside the region's last page (docs/regions.md, "The model"): read-only,
  // the rest of that page reads as 0, as mmap shows it. Read-write, writes there would
  // never reach the file, so that needs `create` (which extends the file). A page wholly
  // past the file's end would be a bus error on every access: never part of a region.
  uint64_t backed = size;
  if (actual < offset + size) {
    bool whole_page_past_end = round_up_to_page(actual) < offset + size;
    if (create && writable) {
      if (ftruncate(fd, static_cast<off_t>(offset + size)) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        fail_errno("cannot extend file '" + path + "'");
      }
    } else if (whole_page_past_end || writable) {
      close(fd);
      std::string what = "file '" + path + "' has " + std::to_string(actual) + " bytes";
      if (whole_page_past_end)
        throw RegionError(wasi::kEinval, what + ", the region needs " + std::to_string(offset + size) +
                                             " (add create to extend it, or give a smaller size)");
      throw RegionError(wasi::kEinval,
                        what + " and ends inside the region's last page: writes past byte " + std::to_string(actual) +
                            " would never reach the file; open it read-only (ro; the rest of the page reads as 0) "
                            "or add create to extend the file to " + std::to_string(offset + size) + " bytes");
    } else {
      backed = actual - offset;
    }
  }
  auto r = std::shared_ptr<Region>(new Region(Backing::File, path, fd, offset, size, writable));
  r->backed_bytes_ = backed;
  return r;
}

std::shared_ptr<Region> Region::open_device(const std::string& path, uint64_t offset, uint64_t size,
                                            bool writable) {
  check_offset(offset, "device region '" + path + "'");
  if (size == 0) throw RegionError(wasi::kEinval, "device region '" + path + "' needs size=N");
  check_range(offset, size, "device region '" + path + "'");
  int fd = open(path.c_str(), (writable ? O_RDWR | O_SYNC : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open device '" + path + "'");
  return std::shared_ptr<Region>(
      new Region(Backing::Device, path, fd, offset, round_up_to_page(size), writable));
}

std::shared_ptr<Region> Region::from_fd(int fd, uint64_t offset, uint64_t size, bool writable,
                                        const std::string& name) {
  const std::string what = "fd region '" + name + "'";
  check_offset(offset, what);
  check_range(offset, size, what);
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) fail_errno(what + ": cannot duplicate descriptor " + std::to_string(fd));
  if (size == 0) {
    // The descriptor's own size: fstat for files, memfd and shm; a dma-buf tells its size
    // only through lseek(SEEK_END) (it has no file position to disturb).
    struct stat st {};
    off_t end = fstat(copy, &st) == 0 ? st.st_size : 0;
    if (end == 0 && !S_ISREG(st.st_mode)) end = lseek(copy, 0, SEEK_END);
    uint64_t bytes = end > 0 ? static_cast<uint64_t>(end) : 0;
    std::string problem;
    if (bytes <= offset)
      problem = " is empty: the descriptor has " + std::to_string(bytes) + " bytes; give a size";
    else if (writable && bytes % host_page_size() != 0)
      problem = " ends inside a page: the descriptor has " + std::to_string(bytes) +
                " bytes, and writes past its end would never reach it; open it read-only or extend it to whole pages";
    if (!problem.empty()) {
      close(copy);
      throw RegionError(wasi::kEinval, what + problem);
    }
    size = bytes - offset;
  }
  return std::shared_ptr<Region>(
      new Region(Backing::Fd, name, copy, offset, round_up_to_page(size), writable));
}

}  // namespace aperture
