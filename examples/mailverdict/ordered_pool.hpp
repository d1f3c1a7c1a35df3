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

// Pulls items with produce(item) (false: no more) and calls work(item) on `jobs` threads
// and emit(result) on the calling thread, in production order.
//  - produce runs on the worker threads, one call at a time (never concurrently) and is
//    never called again after it returned false;
//  - at most jobs * items_in_flight_per_job items are taken and not yet emitted;
//  - the emitter is woken only when the result it needs next is ready (or all is done),
//    a worker only when the window has room for it again.
// work must be thread-safe. With jobs <= 1 everything runs on the calling thread.
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

    std::mutex mutex;                    // guards everything below
    std::condition_variable next_ready;  // the emitter waits on it
    std::condition_variable slot_free;   // workers wait on it when the window is full
    std::map<std::size_t, Result> ready;
    std::size_t in_flight = 0;  // taken (or being taken) and not yet emitted
    std::size_t waiting_for_slot = 0;
    std::size_t next_to_emit = 0;
    bool exhausted = false;  // produce returned false; `total` items were produced
    std::size_t total = 0;
    std::exception_ptr failure;  // the first exception of a worker; stops everything

    const auto stop = [&](std::exception_ptr e) {
        {
            std::lock_guard lock(mutex);
            if (!failure) {
                failure = std::move(e);
            }
            exhausted = true;
        }
        slot_free.notify_all();
        next_ready.notify_all();
    };
    auto worker_loop = [&] {
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
            std::size_t produced_in_all = 0;
            {
                std::lock_guard lock(produce_mutex);
                if (!produce_done && produce(item)) {
                    index = produced++;
                } else {
                    produce_done = true;
                    produced_in_all = produced;
                }
            }
            if (!index) {
                {
                    std::lock_guard lock(mutex);
                    --in_flight;
                    exhausted = true;
                    total = produced_in_all;
                }
                slot_free.notify_all();   // the waiting workers have nothing left to take
                next_ready.notify_one();  // the emitter may have emitted everything already
                return;
            }
            Result result = work(std::move(item));
            bool is_next = false;
            {
                std::lock_guard lock(mutex);
                is_next = *index == next_to_emit;
                ready.emplace(*index, std::move(result));
            }
            if (is_next) {
                next_ready.notify_one();
            }
        }
    };
    auto worker = [&] {
        try {
            worker_loop();
        } catch (...) {
            stop(std::current_exception());
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned t = 0; t < jobs; ++t) {
        threads.emplace_back(worker);
    }
    std::exception_ptr emit_failure;
    for (;;) {
        std::optional<Result> result;
        bool wake_worker = false;
        {
            std::unique_lock lock(mutex);
            next_ready.wait(lock, [&] {
                return failure || ready.count(next_to_emit) != 0 ||
                       (exhausted && next_to_emit == total);
            });
            auto it = ready.find(next_to_emit);
            if (failure || it == ready.end()) {
                break;  // a worker failed, or exhausted and everything emitted
            }
            result.emplace(std::move(it->second));
            ready.erase(it);
            ++next_to_emit;
            --in_flight;
            wake_worker = waiting_for_slot != 0;
        }
        if (wake_worker) {
            slot_free.notify_one();
        }
        try {
            emit(std::move(*result));
        } catch (...) {
            emit_failure = std::current_exception();
            stop(emit_failure);
            break;
        }
    }
    for (auto& t : threads) {
        t.join();
    }
    if (emit_failure) {
        std::rethrow_exception(emit_failure);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
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
