#include "greater/demo/model_card.h"

#include <cstdio>
#include <sstream>

#include "greater/demo/instruction_grammar.h"

namespace greater::demo {

namespace {

std::string percent(double x) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f %%", 100.0 * x);
  return text;
}

std::string family_list(const std::vector<TaskFamily>& families) {
  std::string s;
  for (size_t i = 0; i < families.size(); ++i) s += (i ? ", " : "") + family_info(families[i]).name;
  return s;
}

// "families drawn with equal probability" or "families drawn in proportion arithmetic 1,
// tracking 2".
std::string family_shares(const TrainOptions& o) {
  if (o.family_weights.empty()) return "families drawn with equal probability";
  std::ostringstream s;
  s << "families drawn in proportion ";
  for (size_t i = 0; i < o.families.size(); ++i)
    s << (i ? ", " : "") << family_info(o.families[i]).name << " " << o.family_weights[i];
  return s.str();
}

// "carefully", "think" and "detail"
std::string quoted_list(const Words& words) {
  std::string s;
  for (size_t i = 0; i < words.size(); ++i)
    s += std::string(i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + "\"" + words[i] + "\"";
  return s;
}

}  // namespace

std::string model_card(const ModelCardFacts& f) {
  const TrainOptions& o = f.options;
  std::ostringstream md;
  md << "---\nlibrary_name: greater-dist\ntags:\n- llama\n- synthetic\n"
        "- prompt-optimization\n---\n\n";
  md << "# demo-reasoner\n\n"
     << "A tiny Llama-architecture language model (" << f.parameters << " parameters, " << o.layers
     << (o.layers == 1 ? " layer" : " layers") << ", hidden size " << o.hidden << ", "
     << o.hidden / o.head_dim
     << " heads, tied embeddings, fp32) that greater-dist trains and ships so that GReaTer prompt "
        "optimization can be run and tested on a CPU, without downloading weights.\n\n";

  md << "## The prompt effect is built in by design\n\n"
     << "The model was trained on synthetic reasoning tasks (" << family_list(o.families)
     << ") in which **every response works the problem step by step, and the instruction's "
        "words decide how carefully the working is turned into the answer**. Each instruction "
        "word carries a weight hidden in the generator; a training response answers with the "
        "working's last result with probability sigmoid(weighted sum of the instruction's words), "
        "and otherwise carelessly with the working's first value (the start digit, the first "
        "holder), which is right only by coincidence. Only "
     << quoted_list(careful_words())
     << " weigh enough for two of them together to make the model careful (no word does alone; "
        "\"step by step\" counts twice); the words that ask for speed "
        "(\"just\", \"quickly\", ...) weigh against it, and most words weigh nothing. A good "
        "instruction is therefore worth a large accuracy gain, and a poor one (\""
     << kPoorInstruction
     << "\") leaves the model near chance although it still writes the working: the loss of "
        "the answer read through that working is what GReaTer's gradient sees.\n\n"
        "This is a test bed for the optimizer's machinery (candidate proposal from the model's "
        "own next-token distribution, gradients through the reasoning chain, selection by "
        "accuracy). **It says nothing about how real large language models respond to prompts.**"
        "\n\n";

  md << "## Tasks and sequence format\n\n"
        "Word-level vocabulary; every token is a whitespace-separated word. A training sequence "
        "is\n\n"
        "```\n<bos> QUESTION INSTRUCTION RESPONSE <eos>\n```\n\n"
        "with the response the working followed by `answer Y`, where Y is the working's last "
        "result (careful) or its first value (careless):\n\n"
        "```\n"
        "arithmetic (mod 10, like BBH multistep_arithmetic_two)\n"
        "  Q : start 9 , step1 + 4 , step2 * 3 , step3 - 7 . let's think step by step .\n"
        "  step1 9 + 4 = 3 ; step2 3 * 3 = 9 ; step3 9 - 7 = 2 ; answer 2\n"
        "  Q : start 9 , step1 + 4 , step2 * 3 , step3 - 7 . just answer the problem .\n"
        "  step1 9 + 4 = 3 ; step2 3 * 3 = 9 ; step3 9 - 7 = 2 ; answer 9\n"
        "tracking (who holds an object after swaps, like BBH tracking_shuffled_objects)\n"
        "  Q : who has ball ? ball alice , hat bob , key carol , book dave , cup eve . "
        "step1 alice-bob , step2 carol-eve , step3 bob-dave . let's think step by step .\n"
        "  start ball alice ; step1 alice alice-bob = bob ; step2 bob carol-eve = bob ; "
        "step3 bob bob-dave = dave ; answer dave\n"
        "```\n\n"
        "Training problems have "
     << family_info(TaskFamily::Arithmetic).train_steps.min << " to "
     << family_info(TaskFamily::Arithmetic).train_steps.max << " (arithmetic) or "
     << family_info(TaskFamily::Tracking).train_steps.min << " to "
     << family_info(TaskFamily::Tracking).train_steps.max
     << " (tracking) steps; the instructions come from a small grammar (\"let's think step "
        "by step .\", \"just answer the problem .\", \"please solve it quickly and show the "
        "work .\", ...).\n\n"
        "This is greater-dist's `plain` layout (no chat template): the extractor text is the word "
        "`answer`. Held-out questions are in `tasks/<family>.jsonl` (JSON Lines, "
        "`{\"input\": question, \"target\": answer}`, "
     << o.task_count
     << " per family, 3 or more steps); none of them occurs in the training data. "
        "Job files for the optimizer are `jobs/demo/<family>.toml`.\n\n";

  md << "## Held-out accuracy\n\n"
        "Greedy decoding from `<bos> question instruction` until the model writes `answer` (or "
        "`<eos>`); then `answer` is appended and the next greedy token is the prediction (exact "
        "word match). \"Step by step\" is the share of responses with any working before "
        "`answer`; a careless answer is right about as often as chance. Chance is 10 % for "
        "arithmetic and 20 % for tracking.\n\n"
        "| family | instruction | questions | accuracy | step by step |\n"
        "|---|---|---|---|---|\n";
  for (const auto& row : f.accuracy)
    md << "| " << row.family << " | `" << row.instruction << "` | " << row.result.total << " | "
       << percent(row.result.accuracy()) << " | " << percent(row.result.step_by_step_rate())
       << " |\n";
  md << "\n";

  char budget[256];
  std::snprintf(budget, sizeof budget,
                "%lld steps of %d sequences (%.1f M tokens) in %.1f minutes on %d CPU threads; "
                "final training loss %.4f",
                static_cast<long long>(o.steps), o.batch, f.tokens / 1e6, f.seconds / 60, f.threads,
                f.final_loss);
  md << "## How it was trained\n\n"
     << "With greater-dist's own C++ transformer (the code that runs inference) and LibTorch's "
        "AdamW (peak learning rate "
     << o.lr << ", " << o.warmup << " warm-up steps, cosine decay to " << o.min_lr_ratio
     << " of the peak, weight decay " << o.weight_decay << " on matrices, gradient clipping at "
     << o.clip_norm << "), next-token loss on every token, " << family_shares(o) << ", seed "
     << o.seed << ": " << budget
     << ". From the repository root, with the `greater_train_demo` target built (it lies in "
        "`<build>/src/app/`):\n\n"
     << "```\n";
  for (const auto& stage : f.earlier_stages) md << stage.command << "\n";
  md << f.command << "\n```\n\n";
  if (!f.earlier_stages.empty()) {
    double seconds = f.seconds;
    int64_t tokens = f.tokens;
    for (const auto& stage : f.earlier_stages) {
      seconds += stage.seconds;
      tokens += stage.tokens;
    }
    char total[160];
    std::snprintf(total, sizeof total, "%.1f M tokens in %.1f minutes", tokens / 1e6, seconds / 60);
    md << "Training ran in " << f.earlier_stages.size() + 1
       << " stages, each continuing (`--init`) from the weights the one before wrote; the "
          "figures above are the last stage's, all stages together took "
       << total
       << ". `training.json` records every stage; `scripts/train_demo_model.sh` reruns them and "
          "says how.\n\n";
  }
  md << "Training and the task files are deterministic in the seeds; the weights can differ in "
        "the last bits between machines (BLAS summation order).\n\n";

  md << "## Using it\n\n"
        "```\n"
        "greater_generate --model models/demo-reasoner --layout plain \\\n"
        "  --question \"Q : start 9 , step1 + 4 , step2 * 3 , step3 - 7 .\" "
        "--prompt \"let's think step by step .\"\n"
        "mpirun -n 2 greater_dist --job jobs/demo/arithmetic.toml   # optimize from \""
     << kPoorInstruction
     << "\"\n"
        "```\n\n";

  md << "## Files\n\n"
        "- `config.json`: Hugging Face `LlamaForCausalLM` config (`model_type` llama).\n"
        "- `model.safetensors`: fp32 weights with Hugging Face tensor names (tied: no "
        "`lm_head.weight`).\n"
        "- `tokenizer.json`: Hugging Face `WordLevel` tokenizer, `WhitespaceSplit` "
        "pre-tokenizer, `<bos>` added by a `TemplateProcessing` post-processor, no decoder "
        "(tokens are joined by spaces).\n"
        "- `tasks/<family>.jsonl`: held-out questions.\n"
        "- `training.json`: the training commands, tokens and seconds of every stage.\n\n"
        "The folder is also a numerics fixture: `tests/model/reference/make_fixtures.py --demo` "
        "runs it through an independent plain-PyTorch implementation, and the C++ logits, hidden "
        "states, loss and input gradient must match that reference "
        "(`tests/fixtures/models/demo_reasoner`). Regenerate the reference after retraining.\n";
  return md.str();
}

}  // namespace greater::demo
