#include "writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "colosla/base/log.hpp"

namespace colosla::trapd {

Writer::Writer(std::unique_ptr<core::Store> store) : store_(std::move(store)) {
  if (pipe2(ready_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw ConfigError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  merge_rest();  // what a daemon that died left unmerged
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  {
    std::lock_guard lock(m_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  merge_rest();
  close(ready_[0]);
  close(ready_[1]);
}

void Writer::submit(Batch b) {
  busy_ = true;
  {
    std::lock_guard lock(m_);
    job_ = std::move(b);
  }
  cv_.notify_one();
}

std::optional<Writer::Batch> Writer::collect() {
  char c = 0;
  while (read(ready_[0], &c, 1) > 0) {
  }
  std::lock_guard lock(m_);
  if (!done_) {
    return std::nullopt;
  }
  busy_ = false;
  return std::exchange(done_, std::nullopt);
}

void Writer::wait() {
  std::unique_lock lock(m_);
  cv_.wait(lock, [this] { return done_.has_value() || !busy_; });
}

void Writer::run() {
  std::unique_lock lock(m_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || job_.has_value(); });
    if (!job_) {
      return;  // stopping, with nothing left to do
    }
    Batch b = std::move(*job_);
    job_.reset();
    lock.unlock();
    commit(b);
    lock.lock();
    done_ = std::move(b);
    cv_.notify_all();
    [[maybe_unused]] const auto n = write(ready_[1], "d", 1);
  }
}

// Leaves the history complete (readers would manage without, a little slower).
void Writer::merge_rest() {
  if (auto n = store_->maintain(); !n) {
    log(LogLevel::warning, "trapd",
        "merging observations into the history: " + n.error().to_string());
  }
}

void Writer::commit(Batch& b) {
  const auto started = std::chrono::steady_clock::now();
  const std::size_t stored = b.rows.observations.size();
  // The history the SLA engine reads gets what was stored since the last merge once a second
  // (with the checkpoint), or sooner when a storm has stored a lot: one sorted run rewrites
  // each flapping port's pages once.
  const bool merge = unmerged_ + stored > 0 && (b.checkpoint || unmerged_ + stored >= kMergeRows);
  if (auto done = core::write_batch(*store_, b.rows, merge); !done) {
    b.failed = done.error();
  } else {
    unmerged_ = merge ? 0 : unmerged_ + stored;
  }
  if (b.checkpoint && !b.failed) {
    if (auto c = store_->maintain(); !c) {  // merged already: the checkpoint
      b.checkpoint_failed = c.error();
    }
  }
  b.took = std::chrono::steady_clock::now() - started;
}

}  // namespace colosla::trapd
