// html_nesting_check.cpp — checks newsidx::bound_nesting against gumbo on hostile tag soup.
//
// usage: html_nesting_check [PATTERNS=600] [REPEATS=2000] [SEED=1]
//
// Each pattern is 1-7 tags drawn from a list of tags whose tree-building rules differ (blocks,
// formatting elements with and without attributes, lists, tables and their parts, select,
// foreign content, integration points, raw text, misnested end tags, self-closed tags), and
// is repeated REPEATS times (an "N" in a tag becomes the repeat number). The repeated input
// goes through bound_nesting, then through gumbo as html_to_text parses it; the depth of the
// tree gumbo builds and its node count per input tag are printed for each pattern past 600
// levels or 4 nodes per tag ("BAD"), then the worst of all. Periodic inputs are the ones whose
// cost grows: a pattern that gains a level per repeat reaches REPEATS levels.
#include <gumbo.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "newsidx/html_text.hpp"

namespace {

void measure(const GumboNode* node, int depth, int& max_depth, long& nodes) {
  ++nodes;
  if (depth > max_depth) max_depth = depth;
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    measure(static_cast<const GumboNode*>(children.data[i]), depth + 1, max_depth, nodes);
  }
}

const std::vector<std::string> k_tags = {"<div>",
                                         "</div>",
                                         "<p>",
                                         "</p>",
                                         "<span>",
                                         "</span>",
                                         "<b>",
                                         "</b>",
                                         "<b id=N>",
                                         "<i>",
                                         "</i>",
                                         "<a href=N>",
                                         "</a>",
                                         "<a>",
                                         "<li>",
                                         "</li>",
                                         "<ul>",
                                         "</ul>",
                                         "<table>",
                                         "</table>",
                                         "<tr>",
                                         "</tr>",
                                         "<td>",
                                         "</td>",
                                         "<th>",
                                         "</th>",
                                         "<tbody>",
                                         "</tbody>",
                                         "<tfoot>",
                                         "<caption>",
                                         "<col>",
                                         "<colgroup>",
                                         "<object>",
                                         "</object>",
                                         "<button>",
                                         "</button>",
                                         "<svg>",
                                         "</svg>",
                                         "<path/>",
                                         "<select>",
                                         "</select>",
                                         "<option>",
                                         "</option>",
                                         "<optgroup>",
                                         "<font color=N>",
                                         "</font>",
                                         "<h1>",
                                         "</h1>",
                                         "<h2>",
                                         "<form>",
                                         "</form>",
                                         "<em>",
                                         "</em>",
                                         "<nobr>",
                                         "</nobr>",
                                         "<dd>",
                                         "<dt>",
                                         "<pre>",
                                         "x",
                                         " ",
                                         "<br>",
                                         "</br>",
                                         "<math>",
                                         "</math>",
                                         "<mi>",
                                         "</mi>",
                                         "<mtext>",
                                         "<annotation-xml>",
                                         "<foreignObject>",
                                         "</foreignObject>",
                                         "<desc>",
                                         "<marquee>",
                                         "</marquee>",
                                         "<template>",
                                         "</template>",
                                         "<center>",
                                         "<u id=N>",
                                         "</u>",
                                         "<s>",
                                         "</s>",
                                         "<div/>",
                                         "<p/>",
                                         "<table/>",
                                         "<xmp>",
                                         "</xmp>",
                                         "<textarea>",
                                         "</textarea>",
                                         "<title>",
                                         "</title>",
                                         "<frameset>",
                                         "<applet>",
                                         "</applet>",
                                         "<section>",
                                         "</section>",
                                         "<ruby>",
                                         "<rt>",
                                         "<rp>",
                                         "<image>",
                                         "<html>",
                                         "<body>",
                                         "</body>"};

}  // namespace

int main(int argc, char** argv) {
  const int patterns = argc > 1 ? std::atoi(argv[1]) : 600;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 2000;
  std::mt19937 rng(argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 1u);
  int worst_depth = 0;
  double worst_nodes = 0;
  double worst_ms = 0;
  int bad = 0;
  for (int t = 0; t < patterns; ++t) {
    std::vector<std::string> unit(1 + rng() % 7);
    std::string pattern;
    for (std::string& tag : unit) pattern += tag = k_tags[rng() % k_tags.size()];
    std::string html;
    for (int r = 0; r < repeats; ++r) {
      for (std::string tag : unit) {
        if (const size_t n = tag.find('N'); n != std::string::npos) tag.replace(n, 1, std::to_string(r));
        html += tag;
      }
    }
    const auto start = std::chrono::steady_clock::now();
    const std::optional<std::string> bounded = newsidx::bound_nesting(html);
    const std::string& input = bounded ? *bounded : html;
    GumboOptions options = kGumboDefaultOptions;
    options.fragment_context = GUMBO_TAG_DIV;  // as html_to_text parses
    options.max_errors = 0;
    GumboOutput* output = gumbo_parse_with_options(&options, input.data(), input.size());
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    int depth = 0;
    long nodes = 0;
    measure(output->root, 0, depth, nodes);
    gumbo_destroy_output(&options, output);
    const double per_tag = static_cast<double>(nodes) / static_cast<double>(repeats * unit.size());
    if (depth > 600 || per_tag > 4) {
      std::printf("BAD depth %d, %.1f nodes per tag, %.0f ms: %s\n", depth, per_tag, ms, pattern.c_str());
      ++bad;
    }
    worst_depth = std::max(worst_depth, depth);
    worst_nodes = std::max(worst_nodes, per_tag);
    worst_ms = std::max(worst_ms, ms);
  }
  std::printf("%d patterns x %d: worst depth %d, worst %.2f nodes per tag, worst %.0f ms; %d bad\n", patterns, repeats,
              worst_depth, worst_nodes, worst_ms, bad);
  return bad == 0 ? 0 : 1;
}
