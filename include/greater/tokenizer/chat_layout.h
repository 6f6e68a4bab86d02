// Building model inputs from token ids, part by part, so that every part's start is known by
// construction (never found again by searching decoded text).
//
// Layouts (docs/ALGORITHM.md §2), with Q = question, P = prompt, R = chain,
// X = extractor text, y = answer:
//   llama-3: [BOS from tokenizer] <|start_header_id|>user<|end_header_id|>\n\n Q " " P <|eot_id|>
//            <|start_header_id|>assistant<|end_header_id|>\n\n R " " X y
//   gemma-2: <bos><start_of_turn>user\n Q " " P <end_of_turn>\n<start_of_turn>model\n R X y
//   chatml:  [<|im_start|>system\nS<|im_end|>\n] <|im_start|>user\n Q " " P <|im_end|>\n
//            <|im_start|>assistant\n R " " X y   (S: the template's default system turn)
//   plain:   [BOS from tokenizer] Q " " P "\n" R " " X y      (models without a chat template)
#pragma once

#include <string>
#include <vector>

#include "greater/tokenizer/tokenizer.h"

namespace greater {

enum class ChatLayoutKind { Llama3, Gemma2, ChatML, Plain };

// "llama-3", "gemma-2", "chatml", "plain" (throws greater::Error for anything else).
ChatLayoutKind parse_chat_layout(const std::string& name);
std::string chat_layout_name(ChatLayoutKind kind);

// The system message a ChatML chat template writes when the messages have none (SmolLM2:
// "You are a helpful AI assistant named SmolLM, trained by Hugging Face"): the text of the
// template's '<|im_start|>system\n...<|im_end|>' literal; "" when it has none.
std::string chatml_default_system(const std::string& chat_template);

// Where each part starts in a built sequence; `end` is one past the last token.
// A part that is absent has start == its next part's start.
struct SequenceParts {
  TokenIds ids;
  size_t question = 0;   // first token of the user turn's question
  size_t prompt = 0;     // first token of the optimized prompt
  size_t header = 0;     // first token of the assistant header (after the prompt)
  size_t chain = 0;      // first token of the reasoning chain
  size_t extractor = 0;  // first token of the extractor text
  size_t answer = 0;     // first token of the answer
  size_t end = 0;
};

class ChatLayout {
 public:
  // `chat_template` (the model's Jinja template, may be empty) gives chatml its default
  // system turn; the other layouts ignore it.
  ChatLayout(const Tokenizer& tokenizer, ChatLayoutKind kind,
             const std::string& chat_template = "");

  ChatLayoutKind kind() const { return kind_; }

  // Tokens of the user turn up to and including the assistant header: what generation starts
  // from. `prompt` is a list of ids (the optimizer owns them); the question is text.
  SequenceParts build_prefix(const std::string& question, const TokenIds& prompt) const;

  // Full sequence for scoring: prefix + chain ids + extractor text + answer text.
  SequenceParts build_full(const std::string& question, const TokenIds& prompt,
                           const TokenIds& chain, const std::string& extractor,
                           const std::string& answer) const;

  // Ids that end an assistant turn for this layout (e.g. <|eot_id|>, <end_of_turn>), plus the
  // tokenizer's end-of-text ids when it has them.
  TokenIds stop_ids() const;

  // Prompt text -> prompt ids, tokenized as " " + text: the space that joins question and prompt
  // travels with the prompt's first token (" proper"), which is where tokenizing the whole
  // string puts it. A prompt whose first token has no leading space gets the separator as
  // separate tokens in build_prefix (ids differ from whole-string tokenization there).
  TokenIds encode_prompt(const std::string& prompt_text) const;

 private:
  const Tokenizer& tokenizer_;
  ChatLayoutKind kind_;
  TokenIds bos_;                           // before the user turn (llama-3, plain)
  TokenIds user_header_;                   // after BOS, up to the question
  TokenIds separator_;                     // " ", used only before a prompt without one
  TokenIds assistant_header_;              // after the prompt, up to the chain
  std::string extractor_separator_;        // " " (llama-3, chatml, plain) or "" (gemma-2)
};

}  // namespace greater
