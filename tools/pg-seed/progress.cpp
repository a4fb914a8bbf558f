#include "tools/pg-seed/progress.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "tools/pg-seed/inputs.hpp"

namespace pgkit {

void Progress::begin(const std::string& path, std::size_t index, std::size_t count) {
    if (!enabled_) return;
    total_ = file_size(path);
    label_ = fmt::format("[{}/{}] {}", index, count, path);
    started_ = Clock::now();
    last_ = Clock::time_point{};
}

void Progress::update(std::size_t bytes, long long rows) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
    std::string eta;
    if (bytes > 0 && total_ > bytes && elapsed > 0.5) {
        eta = fmt::format("  ETA {:.0f} s", elapsed * static_cast<double>(total_ - bytes) /
                                                static_cast<double>(bytes));
    }
    std::fprintf(stderr, "\r\033[K%s  %.1f of %.1f MB  %.0f rows/s%s", label_.c_str(),
                 static_cast<double>(bytes) / 1e6, static_cast<double>(total_) / 1e6, rate,
                 eta.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::end() {
    if (enabled_ && drawn_) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace pgkit
