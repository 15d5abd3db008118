#pragma once
// colosla-trapd's store writer: commits batches on its own thread and its own store connection,
// so that reception goes on while SQLite writes and the disk syncs. The loop hands it one batch
// at a time and learns through ready_fd() that the batch is done; informs are answered by the
// loop after that, so the receiver is touched by one thread only.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "colosla/ingest/ingest.hpp"
#include "colosla/store/store.hpp"

namespace colosla::trapd {

class Writer {
 public:
  struct Batch {
    core::IngestBatch rows;           // its counters: what this batch adds to the stored ones
    std::vector<std::uint64_t> acks;  // informs to answer once committed
    core::TrapCounters snapshot;      // the counters as this batch leaves them
    bool checkpoint = false;
    // Filled in by the writer.
    std::optional<Error> failed;
    std::optional<Error> checkpoint_failed;
    std::chrono::steady_clock::duration took{};
  };

  /// Starts the thread, after merging what a daemon that died left unmerged. Throws ConfigError
  /// when it cannot make its pipe.
  explicit Writer(std::unique_ptr<core::Store> store);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();

  [[nodiscard]] int ready_fd() const { return ready_[0]; }
  [[nodiscard]] bool busy() const { return busy_; }

  void submit(Batch b);
  /// The finished batch, once ready_fd() is readable (or after wait()).
  std::optional<Batch> collect();
  /// Blocks until the batch in progress is done.
  void wait();

 private:
  void run();
  void merge_rest();
  void commit(Batch& b);

  static constexpr std::size_t kMergeRows = 65536;
  std::unique_ptr<core::Store> store_;
  std::size_t unmerged_ = 0;  // stored since the last merge (the writer thread's)
  int ready_[2] = {-1, -1};
  bool busy_ = false;  // the loop's view: a batch is out and not yet collected
  std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::optional<Batch> job_, done_;
  std::thread thread_;
};

}  // namespace colosla::trapd
