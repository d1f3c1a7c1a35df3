// Runs independent work items (one per message) on a few threads and hands the results
// back in input order, whatever the number of workers: the brief's contract that output
// order is the input order.
//
// Items are pulled from a producer (the input stream), so the inputs are never collected:
// memory is the window of items in flight, whatever the number of messages.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mvcli {

// Items in flight per worker (taken from the producer and not yet emitted). A result
// waits in the window while an earlier message is still being worked on (one slow DNS
// answer, one huge message); 16 per worker absorbs such stalls without the workers
// idling, and bounds memory to jobs * 16 results (each a few KB of text or JSON).
inline constexpr std::size_t items_in_flight_per_job = 16;

// Pulls items with produce(item) (false: no more), calls work(item) on `jobs` threads (the
// calling thread is one of them) and emit(result) in production order.
//  - produce runs on the workers, one call at a time (never concurrently), and is never
//    called again after it returned false;
//  - emit calls never overlap and come in production order; each is made by the worker
//    that completed the next result to emit (it then emits every following result that is
//    ready), so no thread is woken to emit: with short items a separate emitter thread
//    cost a sleep and a wake-up per message (issue 9: 2 workers were not 2x one);
//  - at most jobs * items_in_flight_per_job items are taken and not yet emitted; a worker
//    sleeps only while that window is full, and is woken when it frees.
// work must be thread-safe; emit need not be (its calls are serialized, with a
// happens-before between them). With jobs <= 1 everything runs on the calling thread.
// An exception from produce, work or emit stops the run: the workers finish the item
// they hold, are joined, and the first exception is rethrown on the calling thread (as
// with jobs <= 1, so the exit status never depends on --jobs).
template <class Item, class Result>
void run_ordered_stream(unsigned jobs, const std::function<bool(Item&)>& produce,
                        const std::function<Result(Item&&)>& work,
                        const std::function<void(Result&&)>& emit) {
    if (jobs <= 1) {
        for (;;) {
            Item item{};
            if (!produce(item)) {
                return;
            }
            emit(work(std::move(item)));
        }
    }
    const std::size_t window = static_cast<std::size_t>(jobs) * items_in_flight_per_job;

    std::mutex produce_mutex;  // one produce() at a time; never held with `mutex`
    bool produce_done = false;
    std::size_t produced = 0;

    std::mutex mutex;                   // guards everything below
    std::condition_variable slot_free;  // workers wait on it when the window is full
    std::map<std::size_t, Result> ready;
    std::size_t in_flight = 0;  // taken (or being taken) and not yet emitted
    std::size_t waiting_for_slot = 0;
    std::size_t next_to_emit = 0;
    bool emitting = false;   // a worker is in drain(): results are emitted by it
    bool exhausted = false;  // produce returned false, or the run stopped
    std::exception_ptr failure;

    const auto stop = [&](std::exception_ptr e) {
        {
            std::lock_guard lock(mutex);
            if (!failure) {
                failure = std::move(e);
            }
            exhausted = true;
        }
        slot_free.notify_all();
    };
    // Emits every result that is ready in order, unless another worker is already doing
    // so (it re-checks `ready` under the lock before it stops, so nothing is left behind).
    const auto drain = [&](std::unique_lock<std::mutex>& lock) {
        if (emitting) {
            return;
        }
        emitting = true;
        for (;;) {
            auto it = failure ? ready.end() : ready.find(next_to_emit);
            if (it == ready.end()) {
                break;
            }
            Result result = std::move(it->second);
            ready.erase(it);
            ++next_to_emit;
            --in_flight;
            const bool wake = waiting_for_slot != 0;
            lock.unlock();
            if (wake) {
                slot_free.notify_one();
            }
            emit(std::move(result));  // an exception leaves `emitting` set: the run stops
            lock.lock();
        }
        emitting = false;
    };
    const auto worker_loop = [&] {
        for (;;) {
            {
                std::unique_lock lock(mutex);
                if (!exhausted && in_flight >= window) {
                    ++waiting_for_slot;
                    slot_free.wait(lock, [&] { return exhausted || in_flight < window; });
                    --waiting_for_slot;
                }
                if (exhausted) {
                    return;
                }
                ++in_flight;
            }
            Item item{};
            std::optional<std::size_t> index;
            {
                std::lock_guard lock(produce_mutex);
                if (!produce_done && produce(item)) {
                    index = produced++;
                } else {
                    produce_done = true;
                }
            }
            if (!index) {
                {
                    std::lock_guard lock(mutex);
                    --in_flight;
                    exhausted = true;
                }
                slot_free.notify_all();  // the waiting workers have nothing left to take
                return;
            }
            Result result = work(std::move(item));
            std::unique_lock lock(mutex);
            ready.emplace(*index, std::move(result));
            if (*index == next_to_emit) {
                drain(lock);
            }
        }
    };
    const auto worker = [&] {
        try {
            worker_loop();
        } catch (...) {
            stop(std::current_exception());
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs - 1);
    for (unsigned t = 1; t < jobs; ++t) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& t : threads) {
        t.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    // Every worker deposited its last result and drained: nothing is left, but a result
    // that arrived while another worker was finishing its drain is emitted here anyway.
    std::unique_lock lock(mutex);
    drain(lock);
}

// Calls work(i) for every i in [0, count) on `jobs` threads and emit(result) in index
// order (the form for inputs already in memory, e.g. `bench`).
template <class Result>
void run_ordered(std::size_t count, unsigned jobs, const std::function<Result(std::size_t)>& work,
                 const std::function<void(Result&&)>& emit) {
    std::size_t next = 0;
    const std::function<bool(std::size_t&)> produce = [&](std::size_t& i) {
        if (next >= count) {
            return false;
        }
        i = next++;
        return true;
    };
    const std::function<Result(std::size_t &&)> by_index = [&](std::size_t&& i) { return work(i); };
    run_ordered_stream<std::size_t, Result>(count < 2 ? 1U : jobs, produce, by_index, emit);
}

}  // namespace mvcli
