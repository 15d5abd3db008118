// colosla-trapd's batching: what the loop has received goes to the writer, and comes back
// committed (its informs are answered then) or failed (its rows wait for the next try).
#include "daemon.hpp"

namespace colosla::trapd {

// What is waiting goes to the writer commit-interval after the first of it arrived, or when
// commit-batch of it is waiting, or once a second for the counters; while the writer is busy
// it keeps waiting, so that under a flood each transaction carries more rows for its fixed
// cost (the fsync). Informs are answered when their batch is committed.
bool Daemon::full() const { return writer_->busy() && pending_ >= s_.commit_batch; }

// Hands what is waiting to the writer, if the writer is free and there is something to write
// (or a checkpoint is asked for).
void Daemon::submit(bool checkpoint) {
  if (writer_->busy()) {
    return;
  }
  core::TrapCounters& c = proc_->counters();
  // The receiver counts datagrams and what it refused; the processor what it was handed. Every
  // trap received has been processed by now, so both identities of TrapCounters hold here.
  c.take_receiver(rxc_);
  Writer::Batch b;
  b.rows.counters = c.minus(flushed_);
  if (pending_ == 0 && acks_.empty() && !core::any(b.rows.counters) && !checkpoint) {
    return;
  }
  b.snapshot = c;
  // The informs answered once this batch is committed count with it.
  b.rows.counters.informs_answered += static_cast<std::int64_t>(acks_.size());
  b.snapshot.informs_answered += static_cast<std::int64_t>(acks_.size());
  b.rows.observations.swap(waiting_.observations);
  b.rows.evidence.swap(waiting_.evidence);
  b.acks.swap(acks_);
  // Room for a whole batch at once: growing by doubling would hold up to twice that.
  waiting_.observations.reserve(s_.commit_batch + 64);
  b.rows.at = clock_.now();
  b.checkpoint = checkpoint;
  pending_ = 0;
  writer_->submit(std::move(b));
}

// Takes back a batch the writer has finished: answers its informs, or, if the commit failed,
// puts its rows back in front of what arrived since.
void Daemon::collect() {
  auto b = writer_->collect();
  if (!b) {
    return;
  }
  if (b->checkpoint_failed) {
    log(LogLevel::warning, "trapd", b->checkpoint_failed->to_string());
  }
  auto& observations = waiting_.observations;
  auto& evidence = waiting_.evidence;
  if (b->failed) {
    // Nothing of the batch happened: its rows, its informs (unanswered: a sender's
    // retransmission is folded into the one waiting) and its counters wait for the next try,
    // up to a bound.
    problems_.log(LogLevel::error, "commit failures", "commit failed: " + b->failed->to_string());
    auto& rows = b->rows;
    if (rows.observations.size() + rows.evidence.size() + observations.size() + evidence.size() >
        1'000'000) {
      problems_.log(
          LogLevel::error, "commit failures",
          "dropping " + std::to_string(rows.observations.size() + rows.evidence.size()) +
              " waiting observations and not answering their informs: the store keeps failing");
      for (auto h : b->acks) {
        rx_->release(h);  // their senders retransmit
      }
    } else {
      std::move(observations.begin(), observations.end(), std::back_inserter(rows.observations));
      std::move(evidence.begin(), evidence.end(), std::back_inserter(rows.evidence));
      std::move(acks_.begin(), acks_.end(), std::back_inserter(b->acks));
      observations.swap(rows.observations);
      evidence.swap(rows.evidence);
      acks_.swap(b->acks);
    }
    if (pending_ == 0 && observations.size() + evidence.size() > 0) {
      first_pending_ = Steady::now();
    }
    pending_ = observations.size() + evidence.size() + acks_.size();
    return;
  }
  // Its informs were counted as answered in the transaction that stored them, so that a
  // kill between the two cannot make the counter lag behind.
  proc_->counters().informs_answered += static_cast<std::int64_t>(b->acks.size());
  flushed_ = b->snapshot;
  for (auto h : b->acks) {
    rx_->acknowledge(h);  // a lost answer: the retransmission is answered from the answered list
  }
}

// Commits everything received so far and waits for it (SIGHUP, stop).
void Daemon::flush() {
  for (int round = 0; round < 2; ++round) {
    if (writer_->busy()) {
      writer_->wait();
      collect();
    }
    submit(false);
  }
  if (writer_->busy()) {
    writer_->wait();
    collect();
  }
}

}  // namespace colosla::trapd
