#pragma once
/// The progress line on stderr: file, bytes read of its size, rows per second, time left;
/// redrawn in place at most four times a second, and erased at the end.

#include <chrono>
#include <cstddef>
#include <string>

namespace pgkit {

class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled) {}
    bool enabled() const { return enabled_; }

    /// A new file, the `index`th of `count`.
    void begin(const std::string& path, std::size_t index, std::size_t count);
    void update(std::size_t bytes, long long rows);
    void end();

private:
    using Clock = std::chrono::steady_clock;

    bool enabled_;
    bool drawn_ = false;
    std::size_t total_ = 0;
    std::string label_;
    Clock::time_point started_, last_;
};

}  // namespace pgkit
