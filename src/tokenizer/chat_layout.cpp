// Chat layouts built from separately tokenized parts (docs/ALGORITHM.md §2).
//
// Tokenization boundaries. Each part is encoded on its own and the ids are concatenated, so a
// part's start is known by construction. To make the result equal to encoding the whole string
// (which is what the reference feeds the model), every joining space is given to the token that
// follows it, because that is where byte-level BPE (Llama-3's ` ?\p{L}+`, ` ?[^\s\p{L}\p{N}]+`)
// and SentencePiece ("▁word") put it:
//   * question | prompt: the prompt ids carry the space (" proper", see encode_prompt); a prompt
//     whose first token has no leading space gets encode(" ") in between instead.
//   * chain | extractor: the extractor is encoded as " " + X (llama-3, plain) or X (gemma-2).
//   * extractor | answer: a final space of X moves to the answer: "... is $ " + "True" is
//     encoded as "... is $" and " True", as the whole string would be.
//   * special-token headers split the text anyway, so they never change the ids around them.
// Where the ids can still differ from whole-string encoding: a question or chain that ends
// inside a would-be merge with the next part (e.g. a chain ending in letters glued to an
// extractor starting with letters under gemma-2, whose layout has no space there).
#include "greater/tokenizer/chat_layout.h"

#include <algorithm>

#include "greater/common/error.h"

namespace greater {

namespace {

void append(TokenIds& dst, const TokenIds& src) { dst.insert(dst.end(), src.begin(), src.end()); }

TokenId require_token(const Tokenizer& tokenizer, const std::string& token, ChatLayoutKind kind) {
  const TokenId id = tokenizer.token_to_id(token);
  if (id < 0) {
    throw Error("chat layout " + chat_layout_name(kind),
                "the tokenizer has no " + token + " token; choose another chat layout");
  }
  return id;
}

// Whether a token's text begins with a space in any of the vocabularies' spellings.
bool starts_with_space(const Tokenizer& tokenizer, TokenId id) {
  const std::string t = tokenizer.id_to_token(id);
  return t.rfind(" ", 0) == 0 || t.rfind("\xE2\x96\x81", 0) == 0 /* ▁ */ ||
         t.rfind("\xC4\xA0", 0) == 0 /* Ġ, byte-level space */;
}

}  // namespace

ChatLayoutKind parse_chat_layout(const std::string& name) {
  if (name == "llama-3") return ChatLayoutKind::Llama3;
  if (name == "gemma-2") return ChatLayoutKind::Gemma2;
  if (name == "chatml") return ChatLayoutKind::ChatML;
  if (name == "plain") return ChatLayoutKind::Plain;
  throw Error("chat layout",
              "unknown layout \"" + name + "\" (expected llama-3, gemma-2, chatml or plain)");
}

std::string chat_layout_name(ChatLayoutKind kind) {
  switch (kind) {
    case ChatLayoutKind::Llama3:
      return "llama-3";
    case ChatLayoutKind::Gemma2:
      return "gemma-2";
    case ChatLayoutKind::ChatML:
      return "chatml";
    case ChatLayoutKind::Plain:
      return "plain";
  }
  return "?";
}

std::string chatml_default_system(const std::string& chat_template) {
  const std::string open = "<|im_start|>system";
  const size_t at = chat_template.find(open);
  if (at == std::string::npos) return "";
  size_t begin = at + open.size();
  // Inside a Jinja string literal the newline is either a real one or the escape "\n".
  if (chat_template.compare(begin, 1, "\n") == 0) {
    begin += 1;
  } else if (chat_template.compare(begin, 2, "\\n") == 0) {
    begin += 2;
  } else {
    return "";  // "<|im_start|>system" followed by a variable, not a literal message
  }
  const size_t end = chat_template.find("<|im_end|>", begin);
  if (end == std::string::npos) return "";
  std::string text = chat_template.substr(begin, end - begin);
  if (text.find('\'') != std::string::npos || text.find('"') != std::string::npos ||
      text.find("{{") != std::string::npos)
    return "";  // the literal ends before <|im_end|>: the message is not a fixed text
  for (size_t i = text.find("\\n"); i != std::string::npos; i = text.find("\\n", i))
    text.replace(i, 2, "\n");
  return text;
}

ChatLayout::ChatLayout(const Tokenizer& tokenizer, ChatLayoutKind kind,
                       const std::string& chat_template)
    : tokenizer_(tokenizer), kind_(kind) {
  separator_ = tokenizer_.encode(" ");
  switch (kind_) {
    case ChatLayoutKind::Llama3: {
      for (const char* t : {"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"})
        require_token(tokenizer_, t, kind_);
      // The reference expects a BOS: the post_processor's if it adds one, else <|begin_of_text|>.
      bos_ = tokenizer_.prefix_special_ids();
      const TokenId begin = tokenizer_.token_to_id("<|begin_of_text|>");
      if (bos_.empty() && begin >= 0) bos_ = {begin};
      user_header_ = tokenizer_.encode("<|start_header_id|>user<|end_header_id|>\n\n");
      assistant_header_ =
          tokenizer_.encode("<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
      extractor_separator_ = " ";
      break;
    }
    case ChatLayoutKind::Gemma2:
      for (const char* t : {"<bos>", "<start_of_turn>", "<end_of_turn>"})
        require_token(tokenizer_, t, kind_);
      // The reference writes <bos> into the string and turns the tokenizer's BOS off.
      user_header_ = tokenizer_.encode("<bos><start_of_turn>user\n");
      assistant_header_ = tokenizer_.encode("<end_of_turn>\n<start_of_turn>model\n");
      extractor_separator_ = "";
      break;
    case ChatLayoutKind::ChatML: {
      for (const char* t : {"<|im_start|>", "<|im_end|>"}) require_token(tokenizer_, t, kind_);
      // The template writes its default system turn first when the messages have none.
      const std::string system = chatml_default_system(chat_template);
      std::string header;
      if (!system.empty()) header = "<|im_start|>system\n" + system + "<|im_end|>\n";
      user_header_ = tokenizer_.encode(header + "<|im_start|>user\n");
      assistant_header_ = tokenizer_.encode("<|im_end|>\n<|im_start|>assistant\n");
      extractor_separator_ = " ";
      break;
    }
    case ChatLayoutKind::Plain:
      bos_ = tokenizer_.prefix_special_ids();
      assistant_header_ = tokenizer_.encode("\n");
      extractor_separator_ = " ";
      break;
  }
}

TokenIds ChatLayout::encode_prompt(const std::string& prompt_text) const {
  return tokenizer_.encode(" " + prompt_text);
}

SequenceParts ChatLayout::build_prefix(const std::string& question, const TokenIds& prompt) const {
  SequenceParts s;
  append(s.ids, bos_);
  append(s.ids, user_header_);
  s.question = s.ids.size();
  append(s.ids, tokenizer_.encode(question));
  if (!prompt.empty() && !starts_with_space(tokenizer_, prompt.front())) append(s.ids, separator_);
  s.prompt = s.ids.size();
  append(s.ids, prompt);
  s.header = s.ids.size();
  append(s.ids, assistant_header_);
  s.chain = s.extractor = s.answer = s.end = s.ids.size();
  return s;
}

SequenceParts ChatLayout::build_full(const std::string& question, const TokenIds& prompt,
                                     const TokenIds& chain, const std::string& extractor,
                                     const std::string& answer) const {
  SequenceParts s = build_prefix(question, prompt);
  append(s.ids, chain);
  s.extractor = s.ids.size();
  std::string x = extractor_separator_ + extractor;
  std::string y = answer;
  const bool answer_starts_with_space = !y.empty() && (y[0] == ' ' || y[0] == '\t' || y[0] == '\n');
  if (!x.empty() && x.back() == ' ' && !y.empty() && !answer_starts_with_space) {
    x.pop_back();
    y.insert(0, " ");
  }
  append(s.ids, tokenizer_.encode(x));
  s.answer = s.ids.size();
  append(s.ids, tokenizer_.encode(y));
  s.end = s.ids.size();
  return s;
}

TokenIds ChatLayout::stop_ids() const {
  std::vector<std::string> names;
  switch (kind_) {
    case ChatLayoutKind::Llama3:
      names = {"<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"};
      break;
    case ChatLayoutKind::Gemma2:
      names = {"<end_of_turn>", "<eos>"};
      break;
    case ChatLayoutKind::ChatML:
      names = {"<|im_end|>", "<|endoftext|>"};
      break;
    case ChatLayoutKind::Plain:
      names = {"</s>", "<eos>", "<|end_of_text|>", "<|endoftext|>"};
      break;
  }
  TokenIds ids;
  auto add = [&](TokenId id) {
    if (id >= 0 && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  for (const std::string& n : names) add(tokenizer_.token_to_id(n));
  for (TokenId id : tokenizer_.suffix_special_ids()) add(id);
  return ids;
}

}  // namespace greater
