// A first-order check of the gradient that ranks candidates (docs/ALGORITHM_NOTES.md): for the
// allowed tokens c at a prompt slot, the predicted change ⟨∇, e_c − e_current⟩ of the gradient
// loss must rank-correlate with the actual change when c is put in the slot (the chains held
// fixed). Checked on the shipped demo model and on a tiny random Llama, for the optimizer's own
// gradient (both stage implementations) and, as negative controls that must fail the same
// threshold, for a gradient with its sign flipped, taken at the wrong slot, or over a loss span
// shifted by one token.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "demo_fixture.h"
#include "greater/model/model_config.h"
#include "greater/model/token_tensor.h"
#include "greater/optimizer/proposal.h"

namespace greater {
namespace {

// Thresholds from measurement (docs/ALGORITHM_NOTES.md). Small step: the optimizer's gradient
// gave ρ ≥ 0.998 at every slot of every case, the broken ones ≤ 0.89 on average (the wrong slot
// on the random model). Substituted, random model: 0.961 (slots 0.945-0.975); flipped sign
// -0.961, shifted span 0.137.
constexpr double kSmallStepThreshold = 0.98;
constexpr double kRandomSubstitutionThreshold = 0.8;

enum class Variant { Correct, FlippedSign, WrongSlot, ShiftedSpan };
const char* name(Variant v) {
  switch (v) {
    case Variant::FlippedSign: return "flipped sign";
    case Variant::WrongSlot: return "wrong slot";
    case Variant::ShiftedSpan: return "loss span shifted by one";
    default: return "correct";
  }
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return v[i] < v[j]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size();) {  // ties share their mean rank
      size_t j = i;
      while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
      for (size_t k = i; k <= j; ++k) r[order[k]] = (i + j) / 2.0;
      i = j + 1;
    }
    return r;
  };
  const std::vector<double> x = ranks(a), y = ranks(b);
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / y.size();
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// The part of the gradient loss that depends on the slot's input embedding, for one example:
// CE_τ over the answer + w / p · Σ NLL of the prompt tokens after the slot. `shift` moves the
// rows that score each token (0: token t scored by row t − 1, as it must be).
at::Tensor slot_loss(const Transformer& model, const at::Tensor& hidden, const SequenceParts& p,
                     int64_t position, const OptimizerSettings& s, int64_t shift) {
  const auto options = at::TensorOptions().dtype(at::kLong).device(hidden.device());
  auto cross_entropy = [&](int64_t begin, int64_t end, double temperature, bool mean) {
    const at::Tensor rows = at::arange(begin - 1 + shift, end - 1 + shift, options);
    const at::Tensor logits = model.lm_head(hidden.index_select(0, rows)).to(at::kFloat);
    const std::vector<int64_t> ids(p.ids.begin() + begin, p.ids.begin() + end);
    return at::cross_entropy_loss(logits / temperature, at::tensor(ids, at::kLong), {},
                                  mean ? at::Reduction::Mean : at::Reduction::Sum);
  };
  const int64_t prompt_length = p.header - p.prompt;
  at::Tensor loss = cross_entropy(p.answer, p.end, s.answer_temperature, true);
  const int64_t after = p.prompt + position + 1;
  if (static_cast<int64_t>(p.header) > after)
    loss = loss + s.gradient_prompt_weight / prompt_length *
                      cross_entropy(after, p.header, 1.0, false);
  return loss;
}

struct Case {
  const Transformer& model;
  const Tokenizer& tokenizer;
  const SequenceRecipe& recipe;
  std::vector<Example> examples;
  TokenIds prompt;
};

// Σ over examples of slot_loss with `prompt` (chains fixed), no gradient; with `slot_embedding`
// defined, the slot's input embedding is replaced by it (for the small-step check).
double actual_loss(const Case& c, const TokenIds& prompt, int64_t position,
                   const std::vector<TokenIds>& chains,
                   const at::Tensor& slot_embedding = at::Tensor()) {
  at::NoGradGuard no_grad;
  std::vector<SequenceParts> parts;
  std::vector<TokenIds> sequences;
  for (size_t i = 0; i < c.examples.size(); ++i) {
    parts.push_back(c.recipe.full(c.examples[i], prompt, chains[i]));
    sequences.emplace_back(parts.back().ids.begin(), parts.back().ids.end());
  }
  const PaddedBatch batch = right_padded(sequences, at::kCPU);
  ForwardInput input;
  input.embeds = c.model.embed(batch.ids);
  if (slot_embedding.defined()) {
    input.embeds = input.embeds.clone();
    for (size_t i = 0; i < parts.size(); ++i)
      input.embeds[i][parts[i].prompt + position].copy_(slot_embedding);
  }
  input.positions = batch.positions;
  const at::Tensor hidden = c.model.final_hidden(input);
  double total = 0;
  for (size_t i = 0; i < parts.size(); ++i)
    total += slot_loss(c.model, hidden[i].narrow(0, 0, batch.lengths[i]), parts[i], position,
                       c.recipe.settings, 0)
                 .item<double>();
  return total;
}

// ⟨E[c], Σ_i ∂L_i/∂e⟩ for each candidate, with the gradient taken as `variant` says.
std::vector<double> variant_scores(const Case& c, int64_t position,
                                   const std::vector<TokenIds>& chains, const TokenIds& candidates,
                                   Variant variant) {
  const int64_t prompt_length = c.prompt.size();
  const int64_t slot = variant != Variant::WrongSlot ? position
                       : position + 1 < prompt_length ? position + 1
                                                      : position - 1;
  const int64_t shift = variant == Variant::ShiftedSpan ? 1 : 0;
  at::Tensor g = at::zeros({c.model.config().hidden_size}, at::kDouble);
  for (size_t i = 0; i < c.examples.size(); ++i) {
    const SequenceParts p = c.recipe.full(c.examples[i], c.prompt, chains[i]);
    const PaddedBatch batch = right_padded({TokenIds(p.ids.begin(), p.ids.end())}, at::kCPU);
    const at::Tensor grad = input_embedding_gradient(c.model, batch, [&](const at::Tensor& h) {
      return slot_loss(c.model, h[0], p, position, c.recipe.settings, shift);
    });
    g += grad[0][p.prompt + slot].to(at::kDouble);
  }
  if (variant == Variant::FlippedSign) g = -g;
  const at::Tensor embeds = c.model.weights()
                                .embed_tokens.index_select(0, token_tensor(candidates, at::kCPU))
                                .to(at::kDouble);
  const at::Tensor s = at::matmul(embeds, g).contiguous();
  return std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
}

struct Measured {
  std::vector<double> production_fast, production_slow;  // ρ per slot
  std::vector<double> variants[4];
};

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

// What "actual change" means: the candidate substituted (the check: what the optimizer
// does with the ranking), or the slot's embedding moved a small step towards it (a check of the
// gradient itself: first order holds there on any smooth model).
enum class Change { Substituted, SmallStep };
constexpr double kStep = 0.02;  // fraction of e_c − e_current for Change::SmallStep

// ρ between predicted and actual changes at every slot of the prompt, over every allowed token.
Measured measure(const Case& c, Change change) {
  SequenceRecipe fast_recipe = c.recipe, slow_recipe = c.recipe;
  fast_recipe.settings.fast_iteration = true;
  slow_recipe.settings.fast_iteration = false;
  TrainShard fast(fast_recipe, {c.examples}), slow(slow_recipe, {c.examples});
  fast.ensure_chains(c.prompt, 0);
  slow.ensure_chains(c.prompt, 0);
  const std::vector<TokenIds> chains = fast.chains(c.prompt);
  const std::vector<bool> allowed = allowed_prompt_tokens(c.tokenizer, c.model.config().vocab_size);
  const at::Tensor table = c.model.weights().embed_tokens;
  Measured m;
  for (int64_t pos = 0; pos < static_cast<int64_t>(c.prompt.size()); ++pos) {
    const TokenId current = c.prompt[pos];
    TokenIds candidates = {current};
    for (TokenId id = 0; id < static_cast<TokenId>(allowed.size()); ++id)
      if (allowed[id] && id != current) candidates.push_back(id);
    const double base = actual_loss(c, c.prompt, pos, chains);
    std::vector<double> actual;
    for (size_t k = 1; k < candidates.size(); ++k) {
      if (change == Change::SmallStep) {
        const at::Tensor e = table[current] + kStep * (table[candidates[k]] - table[current]);
        actual.push_back(actual_loss(c, c.prompt, pos, chains, e) - base);
      } else {
        TokenIds trial = c.prompt;
        trial[pos] = candidates[k];
        actual.push_back(actual_loss(c, trial, pos, chains) - base);
      }
    }
    // Predicted changes: score(c) − score(current), the per-example scores summed.
    auto predicted = [&](const std::vector<double>& scores) {
      const size_t n = candidates.size();
      std::vector<double> total(n, 0.0);
      for (size_t i = 0; i < scores.size(); ++i) total[i % n] += scores[i];
      std::vector<double> out;
      for (size_t k = 1; k < n; ++k) out.push_back(total[k] - total[0]);
      return out;
    };
    m.production_fast.push_back(
        spearman(predicted(fast.gradient_scores(c.prompt, pos, candidates)), actual));
    m.production_slow.push_back(
        spearman(predicted(slow.gradient_scores(c.prompt, pos, candidates)), actual));
    for (Variant v : {Variant::Correct, Variant::FlippedSign, Variant::WrongSlot,
                      Variant::ShiftedSpan})
      m.variants[static_cast<int>(v)].push_back(
          spearman(predicted(variant_scores(c, pos, chains, candidates, v)), actual));
  }
  return m;
}

// Prints every ρ; requires the optimizer's gradient to reach `threshold` (mean over slots) and
// each broken gradient in `must_fail` to stay below it.
// Without a threshold, only prints (a measurement).
void check(const Case& c, const std::string& label, Change change, std::optional<double> threshold,
           const std::vector<Variant>& must_fail) {
  const Measured m = measure(c, change);
  auto list = [](const std::vector<double>& v) {
    std::string s;
    char buffer[16];
    for (double x : v) std::snprintf(buffer, sizeof buffer, "%s%.3f", s.empty() ? "" : " ", x), s += buffer;
    return s;
  };
  std::printf("%s, %s: mean Spearman rho over %zu slots (threshold %s)\n", label.c_str(),
              change == Change::SmallStep ? "small step" : "substituted",
              m.production_fast.size(),
              threshold ? std::to_string(*threshold).substr(0, 4).c_str() : "none: measured only");
  std::printf("  optimizer gradient (fast)  %+.3f  [%s]\n", mean_of(m.production_fast),
              list(m.production_fast).c_str());
  std::printf("  optimizer gradient (slow)  %+.3f  [%s]\n", mean_of(m.production_slow),
              list(m.production_slow).c_str());
  for (Variant v : {Variant::Correct, Variant::FlippedSign, Variant::WrongSlot,
                    Variant::ShiftedSpan})
    std::printf("  %-26s %+.3f  [%s]\n", name(v), mean_of(m.variants[static_cast<int>(v)]),
                list(m.variants[static_cast<int>(v)]).c_str());
  std::fflush(stdout);
  if (!threshold) return;
  EXPECT_GE(mean_of(m.production_fast), *threshold) << label;
  EXPECT_GE(mean_of(m.production_slow), *threshold) << label;
  EXPECT_GE(mean_of(m.variants[static_cast<int>(Variant::Correct)]), *threshold) << label;
  // The negative controls: the check can fail, and does for each kind of break.
  for (Variant v : must_fail)
    EXPECT_LT(mean_of(m.variants[static_cast<int>(v)]), *threshold) << label << ": " << name(v);
}

const std::vector<Variant> kAllBroken = {Variant::FlippedSign, Variant::WrongSlot,
                                         Variant::ShiftedSpan};

SequenceRecipe recipe_for(const Demo& d, const Transformer& model) {
  SequenceRecipe r = d.recipe(true);
  r.model = &model;
  r.settings.max_new_tokens = 24;
  return r;
}

TEST(FirstOrder, TinyRandomLlama) {
  const Demo& d = demo();
  // The demo model's shape and vocabulary with random weights (seeded).
  const Transformer model =
      Transformer::random(load_model_config(kDemo + "/config.json"), 7, at::kCPU, at::kFloat);
  const SequenceRecipe r = recipe_for(d, model);
  Case c{model, d.tokenizer, r, {d.splits.train.begin(), d.splits.train.begin() + 6}, d.prompt};
  check(c, "tiny random Llama", Change::SmallStep, kSmallStepThreshold, kAllBroken);
  // Substituted: neighbouring slots of a random model have near-identical gradients, so the
  // wrong slot is caught by the small-step check only.
  check(c, "tiny random Llama", Change::Substituted, kRandomSubstitutionThreshold,
        {Variant::FlippedSign, Variant::ShiftedSpan});
}

TEST(FirstOrder, DemoModel) {
  const Demo& d = demo();
  const SequenceRecipe r = recipe_for(d, d.model);
  // The demo's poor prompt (the model writes the working and answers carelessly) and one with a
  // careful word at its end ("… problem step", one of the two such words a careful answer
  // takes); the gradient runs through the chains in both.
  Case poor{d.model, d.tokenizer, r, {d.splits.train.begin(), d.splits.train.begin() + 6}, d.prompt};
  TokenIds working = d.prompt;
  working.back() = d.tokenizer.encode("step").front();
  Case with_chains{d.model, d.tokenizer, r, poor.examples, working};
  for (const Case* c : {&poor, &with_chains}) {
    const std::string label = c == &poor ? "demo model, poor prompt" : "demo model, working prompt";
    check(*c, label, Change::SmallStep, kSmallStepThreshold, kAllBroken);
    // Substituted: measured, not required (docs/ALGORITHM_NOTES.md): the demo model is far
    // from linear between its words.
    check(*c, label, Change::Substituted, std::nullopt, {});
  }
}

}  // namespace
}  // namespace greater
