// The native hnswlib peer of `bindery bench ann --rounds`: Debian's libhnswlib-dev headers compiled
// with g++ -O3 -march=native (peers.py --build-native does it; nothing is vendored), driven over
// stdin/stdout one line at a time so the Java harness can alternate it with the other engines.
//
// Usage: hnsw_native BASE.npy QUERIES.npy METRIC [MAX_VECTORS]
//   METRIC is cosine, dot or l2; the .npy files hold 2-D little-endian float32 (<f4) in C order.
//   Prints one JSON line {"ok":true,"count":N,"dim":D,"query_count":Q,"version":...} when ready.
// Commands (one per line), each answered by one JSON line:
//   build M EF_CONSTRUCTION THREADS  -> {"build_seconds","build_cpu_seconds","index_bytes"}
//       builds a fresh index over the base vectors (row i has label i), replacing the last one
//   query EF K                       -> {"wall_seconds","cpu_seconds","ids":[[...],...]}
//       answers every query one at a time on this thread, as Bindery's are
//   quit
// Errors: {"error": "..."} on stdout, exit code 2.
// Cosine is inner product over unit vectors (what hnswlib's Python binding does for "cosine").
#include <hnswlib/hnswlib.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> data;
  const float* row(size_t i) const { return data.data() + i * cols; }
};

[[noreturn]] void fail(const std::string& msg) {
  std::string escaped;
  for (char c : msg) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += (c == '\n') ? ' ' : c;
  }
  std::printf("{\"error\":\"%s\"}\n", escaped.c_str());
  std::fflush(stdout);
  std::exit(2);
}

// Reads a .npy file of 2-D little-endian float32 in C order (what NpyFormat.writeFloat32 writes).
Matrix read_npy(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path + ": cannot open");
  char magic[6];
  in.read(magic, 6);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path + ": not a .npy file");
  unsigned char ver[2];
  in.read(reinterpret_cast<char*>(ver), 2);
  size_t header_len = 0;
  if (ver[0] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<size_t>(b[3]) << 24);
  }
  std::string header(header_len, ' ');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (header.find("'<f4'") == std::string::npos) fail(path + ": dtype is not <f4: " + header);
  if (header.find("'fortran_order': False") == std::string::npos)
    fail(path + ": not C order: " + header);
  size_t open = header.find('(');
  size_t close = header.find(')', open);
  if (open == std::string::npos || close == std::string::npos) fail(path + ": no shape");
  std::string shape = header.substr(open + 1, close - open - 1);
  size_t comma = shape.find(',');
  if (comma == std::string::npos) fail(path + ": not 2-D: " + shape);
  Matrix m;
  m.rows = std::stoull(shape.substr(0, comma));
  m.cols = std::stoull(shape.substr(comma + 1));
  if (m.cols == 0) fail(path + ": not 2-D: " + shape);
  size_t take = limit > 0 && limit < m.rows ? limit : m.rows;
  m.data.resize(take * m.cols);
  in.read(reinterpret_cast<char*>(m.data.data()),
          static_cast<std::streamsize>(m.data.size() * sizeof(float)));
  if (!in) fail(path + ": truncated");
  m.rows = take;
  return m;
}

void normalize(Matrix& m) {
  for (size_t i = 0; i < m.rows; i++) {
    float* r = m.data.data() + i * m.cols;
    double s = 0;
    for (size_t j = 0; j < m.cols; j++) s += static_cast<double>(r[j]) * r[j];
    if (s > 0) {
      float inv = static_cast<float>(1.0 / std::sqrt(s));
      for (size_t j = 0; j < m.cols; j++) r[j] *= inv;
    }
  }
}

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double wall_seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: %s BASE.npy QUERIES.npy cosine|dot|l2 [MAX_VECTORS]\n", argv[0]);
    return 2;
  }
  std::string metric = argv[3];
  size_t limit = argc == 5 ? std::stoull(argv[4]) : 0;
  Matrix base = read_npy(argv[1], limit);
  Matrix queries = read_npy(argv[2], 0);
  if (base.cols != queries.cols) fail("base and query dimensions differ");
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  if (metric == "cosine") {
    normalize(base);
    normalize(queries);
    space = std::make_unique<hnswlib::InnerProductSpace>(base.cols);
  } else if (metric == "dot") {
    space = std::make_unique<hnswlib::InnerProductSpace>(base.cols);
  } else if (metric == "l2") {
    space = std::make_unique<hnswlib::L2Space>(base.cols);
  } else {
    fail("metric must be cosine, dot or l2, got " + metric);
  }
  std::printf(
      "{\"ok\":true,\"count\":%zu,\"dim\":%zu,\"query_count\":%zu,\"version\":\"libhnswlib-dev "
      "headers, g++ %d.%d -O3 -march=native\"}\n",
      base.rows, base.cols, queries.rows, __GNUC__, __GNUC_MINOR__);
  std::fflush(stdout);

  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream cmd(line);
    std::string op;
    cmd >> op;
    if (op == "quit") break;
    if (op == "build") {
      size_t m = 0, efc = 0, threads = 1;
      cmd >> m >> efc >> threads;
      if (m < 2 || efc < 1 || threads < 1) fail("build M EF_CONSTRUCTION THREADS, got: " + line);
      index.reset();
      double w0 = wall_seconds(), c0 = cpu_seconds();
      index = std::make_unique<hnswlib::HierarchicalNSW<float>>(space.get(), base.rows, m, efc, 100);
      if (threads == 1) {
        for (size_t i = 0; i < base.rows; i++) index->addPoint(base.row(i), i);
      } else {
        // hnswlib's own pattern: the first point alone, then the rest from an atomic counter.
        index->addPoint(base.row(0), 0);
        std::atomic<size_t> next{1};
        std::vector<std::thread> pool;
        for (size_t t = 0; t < threads; t++) {
          pool.emplace_back([&] {
            for (size_t i = next++; i < base.rows; i = next++) index->addPoint(base.row(i), i);
          });
        }
        for (auto& t : pool) t.join();
      }
      double build = wall_seconds() - w0, build_cpu = cpu_seconds() - c0;
      // What saveIndex would write: every element's level-0 block plus its upper-level links.
      size_t bytes = base.rows * index->size_data_per_element_;
      for (size_t i = 0; i < base.rows; i++)
        bytes += sizeof(int) + index->element_levels_[i] * index->size_links_per_element_;
      std::printf("{\"build_seconds\":%.6f,\"build_cpu_seconds\":%.6f,\"index_bytes\":%zu}\n", build,
                  build_cpu, bytes);
      std::fflush(stdout);
    } else if (op == "query") {
      size_t ef = 0, k = 0;
      cmd >> ef >> k;
      if (!index) fail("query before build");
      if (k < 1 || ef < k) fail("query EF K with EF >= K >= 1, got: " + line);
      index->setEf(ef);
      std::vector<long> ids(queries.rows * k, -1);
      double w0 = wall_seconds(), c0 = cpu_seconds();
      for (size_t q = 0; q < queries.rows; q++) {
        auto result = index->searchKnn(queries.row(q), k);
        // A max-heap on distance: pop gives the worst first.
        size_t at = result.size();
        while (!result.empty()) {
          ids[q * k + --at] = static_cast<long>(result.top().second);
          result.pop();
        }
      }
      double wall = wall_seconds() - w0, cpu = cpu_seconds() - c0;
      std::string out;
      out.reserve(queries.rows * k * 7 + 64);
      char buf[64];
      std::snprintf(buf, sizeof buf, "{\"wall_seconds\":%.9f,\"cpu_seconds\":%.9f,\"ids\":[", wall,
                    cpu);
      out += buf;
      for (size_t q = 0; q < queries.rows; q++) {
        out += q ? ",[" : "[";
        for (size_t i = 0; i < k; i++) {
          if (i) out += ',';
          out += std::to_string(ids[q * k + i]);
        }
        out += ']';
      }
      out += "]}\n";
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
    } else if (!op.empty()) {
      fail("unknown command: " + line);
    }
  }
  return 0;
}
