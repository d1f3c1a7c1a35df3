// The worker pool of the CLI hands results back in input order whatever the workers.
#include "../../examples/mailverdict/ordered_pool.hpp"

#include <doctest/doctest.h>

#include <chrono>
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
