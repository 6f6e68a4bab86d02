// The demo's data generators: deterministic, every chain recomputes to its answer, the hidden
// word weights move the step-by-step rate the right way, and the files the model folder ships
// (tokenizer.json, task files) say what the generators say.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "greater/common/error.h"
#include "greater/demo/instruction_grammar.h"
#include "greater/demo/model_folder_files.h"
#include "greater/demo/training_data.h"
#include "greater/tokenizer/tokenizer.h"

using namespace greater::demo;

namespace {

int digit(const std::string& w) {
  EXPECT_TRUE(w.size() == 1 && w[0] >= '0' && w[0] <= '9') << w;
  return w[0] - '0';
}

// Independent solvers: read the question words only, recompute the working and the answer.
Problem solve_arithmetic(const Words& q) {
  Problem p;
  EXPECT_EQ(Words(q.begin(), q.begin() + 3), (Words{"Q", ":", "start"}));
  int value = digit(q[3]);
  size_t i = 4;
  for (int k = 1; q[i] == ","; ++k, i += 4) {
    EXPECT_EQ(q[i + 1], "step" + std::to_string(k));
    const std::string& op = q[i + 2];
    const int b = digit(q[i + 3]);
    const int next = op == "+"   ? (value + b) % 10
                     : op == "-" ? (value + 10 - b) % 10
                                 : value * b % 10;
    p.chain.insert(p.chain.end(),
                   {q[i + 1], std::to_string(value), op, q[i + 3], "=", std::to_string(next), ";"});
    value = next;
    ++p.steps;
  }
  EXPECT_EQ(q[i], ".");
  EXPECT_EQ(i + 1, q.size());
  p.answer = std::to_string(value);
  return p;
}

Problem solve_tracking(const Words& q) {
  Problem p;
  EXPECT_EQ(Words(q.begin(), q.begin() + 4), (Words{"Q", ":", "who", "has"}));
  EXPECT_EQ(q[5], "?");
  const std::string asked = q[4];
  std::map<std::string, std::string> holder_of;  // object -> person
  size_t i = 6;
  for (;; i += 3) {
    holder_of[q[i]] = q[i + 1];
    if (q[i + 2] == ".") break;
    EXPECT_EQ(q[i + 2], ",");
  }
  i += 3;
  EXPECT_EQ(holder_of.size(), 5u);
  // Swaps are one word, "alice-bob", with the two people in the family's order.
  std::vector<std::string> swaps;
  for (; i < q.size(); i += 3) {
    EXPECT_EQ(q[i], "step" + std::to_string(swaps.size() + 1));
    swaps.push_back(q[i + 1]);
  }
  EXPECT_EQ(q.back(), ".");
  const Words& people = family_info(TaskFamily::Tracking).answer_words;
  auto rank = [&](const std::string& person) {
    return std::find(people.begin(), people.end(), person) - people.begin();
  };
  std::string holder = holder_of.at(asked);
  p.chain = {"start", asked, holder, ";"};
  for (size_t k = 0; k < swaps.size(); ++k) {
    const size_t dash = swaps[k].find('-');
    EXPECT_NE(dash, std::string::npos) << swaps[k];
    const std::string a = swaps[k].substr(0, dash), b = swaps[k].substr(dash + 1);
    EXPECT_LT(rank(a), rank(b)) << swaps[k];
    EXPECT_LT(rank(b), static_cast<long>(people.size())) << swaps[k];
    const std::string next = holder == a ? b : holder == b ? a : holder;
    p.chain.insert(p.chain.end(),
                   {"step" + std::to_string(k + 1), holder, swaps[k], "=", next, ";"});
    holder = next;
  }
  p.steps = static_cast<int>(swaps.size());
  p.answer = holder;
  return p;
}

Problem solve(const Problem& p) {
  return p.family == TaskFamily::Arithmetic ? solve_arithmetic(p.question)
                                            : solve_tracking(p.question);
}

}  // namespace

TEST(DemoTasks, ChainsAndAnswersRecomputeFromTheQuestion) {
  Rng rng(11);
  for (TaskFamily f : all_families()) {
    for (int steps = 0; steps <= kMaxSteps; ++steps) {
      for (int n = 0; n < 200; ++n) {
        const Problem p = make_problem(f, steps, rng);
        const Problem expected = solve(p);
        ASSERT_EQ(p.steps, steps);
        ASSERT_EQ(expected.steps, steps) << join_words(p.question);
        ASSERT_EQ(p.chain, expected.chain) << join_words(p.question);
        ASSERT_EQ(p.answer, expected.answer) << join_words(p.question);
      }
    }
  }
}

TEST(DemoTasks, AnswersCoverTheFamilyAnswerWordsEvenly) {
  for (TaskFamily f : all_families()) {
    const FamilyInfo& info = family_info(f);
    std::map<std::string, int> counts;
    const auto problems = held_out_problems(f, 2000, 3);
    for (const auto& p : problems) ++counts[p.answer];
    EXPECT_EQ(counts.size(), info.answer_words.size()) << info.name;
    // No answer is much more frequent than chance: guessing the commonest one stays near chance.
    for (const auto& [answer, n] : counts)
      EXPECT_LT(n, 1.6 * problems.size() / info.answer_words.size()) << info.name << " " << answer;
  }
}

TEST(DemoTasks, SameSeedSameFilesOtherSeedOtherFiles) {
  for (TaskFamily f : all_families()) {
    const auto a = held_out_problems(f, 100, 5), b = held_out_problems(f, 100, 5),
               c = held_out_problems(f, 100, 6);
    EXPECT_EQ(task_jsonl(a), task_jsonl(b));
    EXPECT_NE(task_jsonl(a), task_jsonl(c));
    const StepRange eval = family_info(f).eval_steps;
    EXPECT_GE(eval.min, 3);
    for (const auto& p : a) {
      EXPECT_GE(p.steps, eval.min);
      EXPECT_LE(p.steps, eval.max);
    }
  }
  TrainingStream s1(Vocabulary::demo(), all_families(), 9, {}),
      s2(Vocabulary::demo(), all_families(), 9, {});
  for (int i = 0; i < 300; ++i) ASSERT_EQ(s1.next().ids, s2.next().ids) << "example " << i;
}

TEST(DemoTasks, TaskFileRowsAreQuestionAndAnswer) {
  const auto problems = held_out_problems(TaskFamily::Tracking, 3, 1);
  const std::string text = task_jsonl(problems);
  size_t start = 0;
  for (const auto& p : problems) {
    const size_t end = text.find('\n', start);
    const auto row = nlohmann::json::parse(text.substr(start, end - start));
    EXPECT_EQ(row.at("input").get<std::string>(), join_words(p.question));
    EXPECT_EQ(row.at("target").get<std::string>(), p.answer);
    EXPECT_EQ(row.size(), 2u);
    start = end + 1;
  }
}

TEST(DemoTasks, TrainingNeverContainsAHeldOutQuestion) {
  // Few distinct 2-step questions exist, so a large held-out set of them is drawn often.
  std::vector<Problem> held_out;
  Rng rng(4);
  for (int i = 0; i < 3000; ++i) held_out.push_back(make_problem(TaskFamily::Arithmetic, 2, rng));
  std::set<std::string> excluded;
  for (const auto& p : held_out) excluded.insert(join_words(p.question));
  TrainingStream stream(Vocabulary::demo(), {TaskFamily::Arithmetic}, 2, held_out);
  for (int i = 0; i < 5000; ++i)
    ASSERT_EQ(excluded.count(join_words(stream.next().problem.question)), 0u);
  EXPECT_GT(stream.skipped_held_out(), 0);
}

TEST(DemoTasks, TrainingSequenceLayout) {
  const Vocabulary& vocab = Vocabulary::demo();
  TrainingStream stream(vocab, all_families(), 3, {});
  int careful = 0;
  for (int i = 0; i < 500; ++i) {
    const TrainingExample e = stream.next();
    TokenSequence expected = prompt_ids(vocab, e.problem, e.instruction);
    for (const auto& w : response_words(e.problem, e.careful)) expected.push_back(vocab.id(w));
    expected.push_back(Vocabulary::kEos);
    ASSERT_EQ(e.ids, expected);
    ASSERT_EQ(e.ids.front(), Vocabulary::kBos);
    ASSERT_EQ(vocab.word(e.ids[e.ids.size() - 3]), "answer");
    ASSERT_EQ(e.instruction.back(), ".");
    // Every response writes the working, careful or not.
    const Words response = response_words(e.problem, e.careful);
    ASSERT_EQ(e.problem.chain, Words(response.begin(), response.end() - 2));
    ASSERT_EQ(vocab.word(e.ids[e.ids.size() - 2]),
              e.careful ? e.problem.answer : e.problem.careless_answer);
    careful += e.careful;
  }
  // Both kinds are common enough to learn from (careful: about one in seven).
  EXPECT_GT(careful, 40);
  EXPECT_LT(careful, 400);
}

TEST(DemoTasks, CarelessAnswerIsTheWorkingsFirstValue) {
  Rng rng(6);
  int same = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    const Problem a = make_problem(TaskFamily::Arithmetic, 3 + i % 3, rng);
    EXPECT_EQ(a.careless_answer, a.chain.at(1));  // "step1 <start> ..."
    const Problem t = make_problem(TaskFamily::Tracking, 3 + i % 4, rng);
    EXPECT_EQ(t.careless_answer, t.chain.at(2));  // "start <object> <holder> ;"
    same += a.careless_answer == a.answer;
  }
  // A careless answer is right only by coincidence: about one time in ten for arithmetic.
  EXPECT_LT(static_cast<double>(same) / n, 0.15);
}

TEST(DemoInstructions, WeightsMoveTheCarefulProbability) {
  EXPECT_LT(careful_probability(split_words(kPoorInstruction)), 0.05);
  EXPECT_GT(careful_probability(split_words(kGoodInstruction)), 0.95);
  // Adding a word moves the probability the way its weight says.
  const Words base = split_words("please solve this .");
  for (const auto& w : grammar_words()) {
    Words more = base;
    more.insert(more.begin() + 1, w);
    const double weight = word_weight(w), p0 = careful_probability(base),
                 p1 = careful_probability(more);
    if (weight > 0) {
      EXPECT_GT(p1, p0) << w;
    } else if (weight < 0) {
      EXPECT_LT(p1, p0) << w;
    } else {
      EXPECT_DOUBLE_EQ(p1, p0) << w;
    }
  }
}

TEST(DemoInstructions, FewWordsAskForCareAndOneIsNotEnough) {
  // A few of the grammar's words make a neutral instruction careful, two at a time, and no word
  // does on its own: a random choice of a few candidates per step rarely finds two.
  const Words all = grammar_words();
  const std::set<std::string> words(all.begin(), all.end());  // the grammar repeats some
  int strong = 0;
  for (const auto& w : words) {
    EXPECT_LT(careful_probability({w, "."}), 0.5) << w;
    strong += careful_probability({w, w, "."}) > 0.5;
  }
  EXPECT_LE(strong, 4) << "of " << words.size();
  EXPECT_GE(strong, 2);
  EXPECT_EQ(careful_words().size(), static_cast<size_t>(strong));
  const Words found = careful_words();
  EXPECT_GT(careful_probability({found[0], found[1], "."}), 0.5);
}

TEST(DemoInstructions, TrainingCarefulRateRisesWithTheWordWeights) {
  // Bucket sampled training examples by the summed weight of their instruction: the observed
  // rate of careful responses must rise from bucket to bucket.
  TrainingStream stream(Vocabulary::demo(), all_families(), 8, {});
  std::map<int, std::pair<int, int>> buckets;  // floor(weight sum) -> (careful, total)
  for (int i = 0; i < 40000; ++i) {
    const TrainingExample e = stream.next();
    double sum = 0;
    for (const auto& w : e.instruction) sum += word_weight(w);
    auto& b = buckets[static_cast<int>(std::floor(std::clamp(sum, -3.0, 4.0)))];
    b.first += e.careful;
    ++b.second;
  }
  double previous = -1;
  for (const auto& [bucket, counts] : buckets) {
    ASSERT_GT(counts.second, 200) << "bucket " << bucket;
    const double rate = static_cast<double>(counts.first) / counts.second;
    EXPECT_GT(rate, previous) << "bucket " << bucket;
    previous = rate;
  }
  EXPECT_LT(static_cast<double>(buckets.begin()->second.first) / buckets.begin()->second.second,
            0.05);
  EXPECT_GT(previous, 0.9);
}

TEST(DemoVocabulary, CoversEveryWordAndNeverChangesSpecialIds) {
  const Vocabulary& vocab = Vocabulary::demo();
  EXPECT_EQ(vocab.word(Vocabulary::kPad), "<pad>");
  EXPECT_EQ(vocab.word(Vocabulary::kUnk), "<unk>");
  EXPECT_EQ(vocab.word(Vocabulary::kBos), "<bos>");
  EXPECT_EQ(vocab.word(Vocabulary::kEos), "<eos>");
  for (const auto& w : grammar_words()) EXPECT_TRUE(vocab.contains(w)) << w;
  Rng rng(1);
  for (TaskFamily f : all_families())
    for (int i = 0; i < 200; ++i) {
      const Problem p = make_problem(f, 1 + i % kMaxSteps, rng);
      EXPECT_NO_THROW(vocab.ids(p.question));
      EXPECT_NO_THROW(vocab.ids(response_words(p, true)));
    }
  EXPECT_THROW(vocab.id("banana"), greater::Error);
}

TEST(DemoTokenizerJson, IsAWordLevelTokenizerOfTheVocabulary) {
  const Vocabulary& vocab = Vocabulary::demo();
  const auto json = nlohmann::json::parse(wordlevel_tokenizer_json(vocab));
  EXPECT_EQ(json.at("model").at("type"), "WordLevel");
  EXPECT_EQ(json.at("model").at("unk_token"), "<unk>");
  EXPECT_EQ(json.at("pre_tokenizer").at("type"), "WhitespaceSplit");
  EXPECT_TRUE(json.at("decoder").is_null());
  const auto& words = json.at("model").at("vocab");
  ASSERT_EQ(static_cast<int64_t>(words.size()), vocab.size());
  for (int64_t id = 0; id < vocab.size(); ++id) EXPECT_EQ(words.at(vocab.word(id)), id);
  EXPECT_EQ(json.at("added_tokens").size(), 4u);
  const auto& post = json.at("post_processor");
  EXPECT_EQ(post.at("type"), "TemplateProcessing");
  EXPECT_EQ(post.at("single").at(0).at("SpecialToken").at("id"), "<bos>");
  EXPECT_EQ(post.at("special_tokens").at("<bos>").at("ids").at(0), Vocabulary::kBos);
}

TEST(DemoTokenizerJson, ProjectTokenizerEncodesLikeTheVocabulary) {
  const Vocabulary& vocab = Vocabulary::demo();
  const greater::Tokenizer tokenizer =
      greater::Tokenizer::from_json(wordlevel_tokenizer_json(vocab), "demo tokenizer.json");
  EXPECT_EQ(tokenizer.vocab_size(), vocab.size());
  TrainingStream stream(vocab, all_families(), 5, {});
  for (int i = 0; i < 50; ++i) {
    const TrainingExample e = stream.next();
    const std::string text = join_words(e.problem.question) + " " + join_words(e.instruction) +
                             "\n" + join_words(response_words(e.problem, e.careful));
    const auto ids = tokenizer.encode(text, /*add_special_tokens=*/true);
    // The training sequence without its <eos>.
    ASSERT_EQ(std::vector<int64_t>(ids.begin(), ids.end()),
              TokenSequence(e.ids.begin(), e.ids.end() - 1))
        << text;
    EXPECT_EQ(tokenizer.decode(std::vector<greater::TokenId>(ids.begin() + 1, ids.end())),
              join_words(split_words(text)));
  }
  EXPECT_EQ(tokenizer.encode("banana")[0], Vocabulary::kUnk);
  EXPECT_EQ(tokenizer.token_to_id("answer"), vocab.id("answer"));
}

TEST(DemoTasks, FamilyWeightsSetEachFamilysShareOfTraining) {
  TrainingStream stream(Vocabulary::demo(), all_families(), 4, {}, {1.0, 3.0});
  int tracking = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) tracking += stream.next().problem.family == TaskFamily::Tracking;
  EXPECT_NEAR(static_cast<double>(tracking) / n, 0.75, 0.03);

  TrainingStream only_arithmetic(Vocabulary::demo(), all_families(), 4, {}, {1.0, 0.0});
  for (int i = 0; i < 200; ++i)
    ASSERT_EQ(only_arithmetic.next().problem.family, TaskFamily::Arithmetic);

  EXPECT_THROW(TrainingStream(Vocabulary::demo(), all_families(), 4, {}, {1.0}), greater::Error);
  EXPECT_THROW(TrainingStream(Vocabulary::demo(), all_families(), 4, {}, {1.0, -1.0}),
               greater::Error);
  EXPECT_THROW(TrainingStream(Vocabulary::demo(), all_families(), 4, {}, {0.0, 0.0}),
               greater::Error);
}
