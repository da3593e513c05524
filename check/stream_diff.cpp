#include "check/stream_diff.h"

#include <algorithm>

namespace monsim::harness {

std::string StreamEvent::str() const {
  std::string out =
      std::string(eventName(event)) + " " + code + ":" + std::to_string(offset);
  if (line) out += " line " + std::to_string(*line);
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

std::string StreamView::flags() const {
  return std::string(offsets ? "" : " --ignore-offsets") +
         (branchAsOne ? " --branch-as-one" : "");
}

std::vector<StreamEvent> eventStream(const Trace& t, StreamView view) {
  std::vector<StreamEvent> out;
  for (size_t i = 0; i < t.records.size(); ++i) {
    const TraceRecord& r = t.records[i];
    if (r.kind != RecordKind::Event) continue;
    StreamEvent e{r.event, r.code, view.offsets ? r.offset : 0, r.line, "", i};
    if (view.branchAsOne &&
        (e.event == Event::BranchLeft || e.event == Event::BranchRight))
      e.event = Event::Branch;
    if (r.exc) e.detail = r.exc->type;
    if (r.dest && view.offsets) e.detail = "to " + std::to_string(*r.dest);
    out.push_back(std::move(e));
  }
  return out;
}

StreamDiff diffStreams(const std::vector<StreamEvent>& a,
                       const std::vector<StreamEvent>& b, size_t maxCells) {
  StreamDiff d;
  d.left = a.size();
  d.right = b.size();
  // Common ends first: most pairs of streams differ in a few places.
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  const size_t n = a.size() - head - tail, m = b.size() - head - tail;
  d.common = head + tail;
  auto A = [&](size_t i) -> const StreamEvent& { return a[head + i]; };
  auto B = [&](size_t j) -> const StreamEvent& { return b[head + j]; };
  if ((n + 1) * (m + 1) <= maxCells) {
    // lcs[i][j]: the longest common subsequence of A[i..] and B[j..].
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) =
            A(i) == B(j) ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n && j < m) {
      if (A(i) == B(j)) {
        ++d.common, ++i, ++j;
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        d.onlyLeft.push_back(A(i++));
      } else {
        d.onlyRight.push_back(B(j++));
      }
    }
    for (; i < n; ++i) d.onlyLeft.push_back(A(i));
    for (; j < m; ++j) d.onlyRight.push_back(B(j));
    return d;
  }
  // Too large for the table: pair each left event with the next equal right one
  // within a window, else count it as the left's alone.
  constexpr size_t kWindow = 64;
  size_t j = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t k = j;
    while (k < m && k < j + kWindow && !(A(i) == B(k))) ++k;
    if (k < m && k < j + kWindow) {
      for (; j < k; ++j) d.onlyRight.push_back(B(j));
      ++d.common, ++j;
    } else {
      d.onlyLeft.push_back(A(i));
    }
  }
  for (; j < m; ++j) d.onlyRight.push_back(B(j));
  return d;
}

}  // namespace monsim::harness
