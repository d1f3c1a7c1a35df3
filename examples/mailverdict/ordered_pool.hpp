// Runs independent work items (one per message) on a few threads and hands the results
// back in input order, whatever the number of workers: the brief's contract that output
// order is the input order.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace mvcli {

// Calls work(i) for every i in [0, count) on `jobs` threads and emit(result) in index
// order. At most `window` results wait for an earlier one, so memory stays flat over any
// number of inputs. emit runs on the calling thread; work must be thread-safe.
template <class Result>
void run_ordered(std::size_t count, unsigned jobs, const std::function<Result(std::size_t)>& work,
                 const std::function<void(Result&&)>& emit) {
    jobs = std::max(1U, jobs);
    if (jobs == 1 || count < 2) {
        for (std::size_t i = 0; i < count; ++i) {
            emit(work(i));
        }
        return;
    }
    const std::size_t window = static_cast<std::size_t>(jobs) * 16;
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::size_t, Result> ready;
    std::size_t next_to_take = 0;
    std::size_t next_to_emit = 0;

    auto worker = [&] {
        for (;;) {
            std::size_t i = 0;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] {
                    return next_to_take >= count || next_to_take < next_to_emit + window;
                });
                if (next_to_take >= count) {
                    return;
                }
                i = next_to_take++;
            }
            Result r = work(i);
            {
                std::lock_guard lock(mutex);
                ready.emplace(i, std::move(r));
            }
            changed.notify_all();
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned t = 0; t < jobs; ++t) {
        threads.emplace_back(worker);
    }
    while (next_to_emit < count) {
        Result r;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return ready.count(next_to_emit) != 0; });
            auto it = ready.find(next_to_emit);
            r = std::move(it->second);
            ready.erase(it);
            ++next_to_emit;
        }
        changed.notify_all();
        emit(std::move(r));
    }
    for (auto& t : threads) {
        t.join();
    }
}

}  // namespace mvcli
