// The worker pool of the CLI hands results back in input order whatever the workers.
#include "../../examples/mailverdict/ordered_pool.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

TEST_CASE("run_ordered emits every result once, in input order, with any number of jobs") {
    for (unsigned jobs : {1U, 2U, 4U, 16U}) {
        std::vector<std::size_t> seen;
        const std::function<std::size_t(std::size_t)> work = [](std::size_t i) {
            // later items finish first, so order must be restored by the pool
            std::this_thread::sleep_for(std::chrono::microseconds((1000 - i) % 7 * 50));
            return i * 3;
        };
        const std::function<void(std::size_t &&)> emit = [&](std::size_t&& r) {
            seen.push_back(r);
        };
        mvcli::run_ordered<std::size_t>(1000, jobs, work, emit);
        REQUIRE(seen.size() == 1000);
        bool ordered = true;
        for (std::size_t i = 0; i < seen.size(); ++i) {
            ordered = ordered && seen[i] == i * 3;
        }
        CHECK_MESSAGE(ordered, "jobs=" << jobs);
    }
}

TEST_CASE("run_ordered with nothing to do calls nothing") {
    int calls = 0;
    const std::function<int(std::size_t)> work = [&](std::size_t) { return ++calls; };
    const std::function<void(int&&)> emit = [&](int&&) { ++calls; };
    mvcli::run_ordered<int>(0, 4, work, emit);
    CHECK(calls == 0);
}

TEST_CASE("run_ordered_stream pulls items one at a time and keeps at most jobs*16 in flight") {
    for (unsigned jobs : {1U, 2U, 3U, 8U}) {
        const std::size_t count = 2000;
        std::atomic<int> producers_inside{0};
        bool concurrent_produce = false;
        bool called_after_end = false;
        bool ended = false;
        std::size_t next = 0;
        std::atomic<std::size_t> emitted{0};
        std::size_t max_in_flight = 0;
        const std::function<bool(std::size_t&)> produce = [&](std::size_t& item) {
            concurrent_produce = concurrent_produce || producers_inside.fetch_add(1) != 0;
            called_after_end = called_after_end || ended;
            bool more = next < count;
            if (more) {
                item = next++;
                // items taken so far minus items emitted: what the window holds, this one included
                max_in_flight = std::max(max_in_flight, next - emitted.load());
            } else {
                ended = true;
            }
            producers_inside.fetch_sub(1);
            return more;
        };
        const std::function<std::string(std::size_t &&)> work = [](std::size_t&& i) {
            std::this_thread::sleep_for(std::chrono::microseconds((count - i) % 5 * 40));
            return std::to_string(i);
        };
        std::vector<std::string> seen;
        const std::function<void(std::string &&)> emit = [&](std::string&& r) {
            seen.push_back(std::move(r));
            emitted.fetch_add(1);
        };
        mvcli::run_ordered_stream<std::size_t, std::string>(jobs, produce, work, emit);
        REQUIRE(seen.size() == count);
        bool ordered = true;
        for (std::size_t i = 0; i < count; ++i) {
            ordered = ordered && seen[i] == std::to_string(i);
        }
        CHECK_MESSAGE(ordered, "jobs=" << jobs);
        CHECK_FALSE(concurrent_produce);
        CHECK_FALSE(called_after_end);
        // The pool frees a slot just before it calls emit, so the count seen here can be one
        // over the window; jobs=1 works inline, one item at a time.
        const std::size_t bound = jobs == 1 ? 1 : jobs * mvcli::items_in_flight_per_job + 1;
        CHECK_MESSAGE(max_in_flight <= bound, "jobs=" << jobs << " max=" << max_in_flight);
    }
}

TEST_CASE("run_ordered_stream with an empty producer emits nothing and returns") {
    for (unsigned jobs : {1U, 4U}) {
        int calls = 0;
        const std::function<bool(int&)> produce = [&](int&) { return false; };
        const std::function<int(int&&)> work = [&](int&&) { return ++calls; };
        const std::function<void(int&&)> emit = [&](int&&) { ++calls; };
        mvcli::run_ordered_stream<int, int>(jobs, produce, work, emit);
        CHECK(calls == 0);
    }
}

TEST_CASE("run_ordered_stream: a slow emitter fills the window, workers wait, nothing is lost") {
    // The emitter is slower than the workers: the window fills, the workers wait for room,
    // and every item still comes out once, in order.
    std::size_t next = 0;
    const std::function<bool(std::size_t&)> produce = [&](std::size_t& i) {
        if (next == 300) {
            return false;
        }
        i = next++;
        return true;
    };
    const std::function<std::size_t(std::size_t &&)> work = [](std::size_t&& i) { return i; };
    std::vector<std::size_t> seen;
    const std::function<void(std::size_t &&)> emit = [&](std::size_t&& r) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        seen.push_back(r);
    };
    mvcli::run_ordered_stream<std::size_t, std::size_t>(2, produce, work, emit);
    REQUIRE(seen.size() == 300);
    CHECK(seen.front() == 0);
    CHECK(seen.back() == 299);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE(
    "run_ordered_stream: an exception in work, produce or emit stops the run and is rethrown") {
    for (const unsigned jobs : {1U, 2U, 4U}) {
        CAPTURE(jobs);
        std::size_t next = 0;
        const std::function<bool(int&)> produce = [&](int& item) {
            if (next >= 1000) {
                return false;
            }
            item = static_cast<int>(next++);
            return true;
        };
        const std::function<int(int&&)> work = [](int&& item) {
            if (item == 37) {
                throw std::runtime_error("work failed on 37");
            }
            return item;
        };
        std::vector<int> emitted;
        const std::function<void(int&&)> emit = [&](int&& r) { emitted.push_back(r); };
        CHECK_THROWS_WITH_AS((mvcli::run_ordered_stream<int, int>(jobs, produce, work, emit)),
                             "work failed on 37", std::runtime_error);
        // Only results before the failure can have been emitted, in order.
        CHECK(emitted.size() <= 37);
        for (std::size_t i = 0; i < emitted.size(); ++i) {
            CHECK(emitted[i] == static_cast<int>(i));
        }

        next = 0;
        const std::function<bool(int&)> failing_produce = [&](int& item) {
            if (next == 10) {
                throw std::runtime_error("unreadable input list");
            }
            item = static_cast<int>(next++);
            return true;
        };
        const std::function<int(int&&)> identity = [](int&& item) { return item; };
        emitted.clear();
        CHECK_THROWS_WITH_AS(
            (mvcli::run_ordered_stream<int, int>(jobs, failing_produce, identity, emit)),
            "unreadable input list", std::runtime_error);

        next = 0;
        const std::function<void(int&&)> failing_emit = [](int&& r) {
            if (r == 3) {
                throw std::runtime_error("stdout closed");
            }
        };
        CHECK_THROWS_WITH_AS(
            (mvcli::run_ordered_stream<int, int>(jobs, produce, identity, failing_emit)),
            "stdout closed", std::runtime_error);
    }
}
