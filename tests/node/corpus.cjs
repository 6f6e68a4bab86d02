// Deterministic corpus of test strings for the tokenizer parity fixtures.
//
// Hand-written cases (Unicode, emoji, CJK, digits, whitespace runs, contractions, special tokens
// inside text, BBH-like questions, long texts) plus seeded pseudo-random mixtures of the same
// ingredients. Same seed, same strings: the committed fixtures can be regenerated exactly.
'use strict';

// mulberry32: tiny seeded PRNG, enough for test data.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Synthetic questions in the style of BIG-Bench Hard tasks (written for these tests, not copied).
const BBH_LIKE = [
  'not ( True ) and ( True ) is',
  'True and not not ( not False ) is',
  '( False or not True ) and True or False is',
  'Today is 3/14/2021. What is the date one week ago from today in MM/DD/YYYY?\nOptions:\n(A) 03/07/2021\n(B) 03/08/2021\n(C) 02/28/2021\n(D) 03/21/2021',
  'If you follow these instructions, do you return to the starting point? Always face forward. Take 3 steps left. Take 2 steps right. Take 1 step right.\nOptions:\n- Yes\n- No',
  'I have a violin, two trumpets, a flute, and an accordion. How many musical instruments do I have?',
  '((-3 + 7 * 2) - (9 - -4 * 5)) =',
  '((8 * -2 + 6) * (1 - 4 - 7)) =',
  'Is the following sentence plausible? "Joao Moutinho caught the screen pass in the NFC championship."',
  'Question: Fidel lies. Jerry says Fidel tells the truth. Vina says Jerry tells the truth. Does Vina tell the truth?',
  'Sort the following words alphabetically: List: oxygen yeah sidereal banana Kenya quaff',
  'Complete the rest of the sequence, making sure that the parentheses are closed properly. Input: [ { < ( ) > } [ (',
  'Alice, Bob, and Claire are playing a game. At the start of the game, they are each holding a ball: Alice has a red ball, Bob has a blue ball, and Claire has a green ball.\nAs the game progresses, pairs of players trade balls. First, Alice and Bob swap balls. Then, Claire and Alice swap balls. At the end of the game, Alice has the\nOptions:\n(A) red ball\n(B) blue ball\n(C) green ball',
  'The following paragraphs each describe a set of three objects arranged in a fixed order. On a shelf, there are three books: a white book, a green book, and an orange book. The green book is to the right of the white book. The orange book is the rightmost.\nOptions:\n(A) The white book is the leftmost\n(B) The green book is the leftmost',
  'Which sentence has the correct adjective order:\nOptions:\n(A) big old red Japanese car\n(B) red big Japanese old car',
  'Here is a table where the first line is a header and each subsequent line is a penguin:  name, age, height (cm), weight (kg) Louis, 7, 50, 11 Bernard, 5, 80, 13 Vincent, 9, 60, 11 Gwen, 8, 70, 15  How many penguins are more than 5 years old?',
  'This SVG path element <path d="M 55.57,80.69 L 57.38,65.80 M 57.38,65.80 L 48.90,57.46 M 48.90,57.46 L 45.58,47.78"/> draws a\nOptions:\n(A) circle\n(B) heptagon\n(C) hexagon',
  'Today, Emily went to the museum. Between what times could they have gone?\nWe know that:\nEmily woke up at 1pm.\nElizabeth saw Emily reading at the library from 2pm to 4pm.\nThe museum was closed after 7pm.',
  'Find a movie similar to Star Wars Episode IV - A New Hope, Indiana Jones and the Last Crusade, Star Wars Episode V - The Empire Strikes Back:\nOptions:\n(A) The Wrong Guy\n(B) Raiders of the Lost Ark',
  'Which of the following is a humorous edit of this artist or movie name: \'rain man\'?\nOptions:\n(A) ruin man\n(B) rains man',
  '"It is not always easy to see who is related to whom -- and in which ways. The following argument pertains to this question: To begin with, every classmate of Lisa is a half-sister of Tracy." Is the argument, given the explicitly stated premises, deductively valid or invalid?\nOptions:\n- valid\n- invalid',
  'How would a typical person answer each of the following questions about causation?\nA machine is set up in such a way that it will short circuit if both the black wire and the red wire touch the battery at the same time. Did the black wire cause the short circuit?\nOptions:\n- Yes\n- No',
  'In the following sentences, explain the antecedent of the pronoun (which thing the pronoun refers to), or state that it is ambiguous.\nSentence: The chief told the counselor that they took the day off.',
  'Which statement is sarcastic?\nOptions:\n(A) Yes, the game is over after the second half.\n(B) Yes, the game is over after the first half.',
  'On the desk, you see a bunch of things arranged in a row: a red keychain, a teal pencil, and a gold notebook. What is the color of the thing directly to the right of the red keychain?',
  'The following translations from German to English contain a particular error. Source: Die Liste der Naturdenkmale in Weil am Rhein nennt die im Gebiet der Stadt ausgewiesenen Naturdenkmale.',
  "Q: 2+2? Let's think step by step.",
  "Let's think step by step. First, 3 + 4 = 7. Then 7 * 2 = 14. So the answer is 14.",
  'So the answer is (B). Therefore, the final answer (use exact format: \'$ True\' or \'$ False\') is $ True',
  ' proper logical reasoning and think step by step. Finally give the actual correct answer.',
];

const HAND = [
  '', ' ', '  ', '   ', '\t', '\n', '\r\n', '\n\n', '\r\n\r\n', ' \n', '\n ', ' \t\n',
  'a', 'A', '1', '.', '!', '?', '\u2581', 'grabbed', ' grabbed', '           grabbed',
  'Hello world', 'Hello World!', 'hello   world', 'Hello\tworld', 'Hello\r\nworld', 'Hello\n\nworld',
  'trailing spaces   ', '   leading spaces', 'tabs\t\t\tbetween', 'line\nbreaks\nhere\n',
  "I'm", "I'M", "you're", "YOU'RE", "it's", "IT'S", "we'll", "WE'LL", "they've", "THEY'VE",
  "she'd", "SHE'D", "don't", "DON'T", "can't", "won't", "isn't", "'s", "'S", "'ll", "'LL",
  "the cat's toy", "The Cat'S Toy", "rock 'n' roll", "'quoted'", "''double''", "o'clock",
  '0', '12', '123', '1234', '12345', '123456789', '3.14159', '-42', '1,000,000', '2024-01-15',
  '10:30pm', '$100.00', '50%', '1e-10', '0x1F', '007', 'v1.2.3', '1st 2nd 3rd 4th',
  '٣٤٥', '１２３', '½ ¼ ¾', 'Ⅻ', '²³',
  '中文', '你好，世界！', '我们一起学习机器学习。', '日本語のテキストです。', 'カタカナ', 'ひらがな',
  '한국어 텍스트', '안녕하세요', 'Привет, мир!', 'Ελληνικά γράμματα', 'مرحبا بالعالم', 'שלום עולם',
  'नमस्ते दुनिया', 'สวัสดีชาวโลก', 'Tiếng Việt có dấu', 'ỗ ứ ự', 'Ünïcödé àçcéñts', 'naïve café résumé',
  'e\u0301', 'cafe\u0301', 'A\u030A', 'ß', 'ﬁ', 'Ⅷ', 'ǅ',
  '🦙', '😀', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷🇩🇪', '❤️', '✨🤖✨', 'I ❤️ NY', 'emoji🦙inside', '🦙🦙🦙', '😀 😃 😄',
  '∑ ∫ √ ∞ ≠ ≤', '→ ← ↑ ↓', '┌─┐│└┘', '©®™', '¿Qué?', '¡Hola!', '«guillemets»', '“smart quotes”',
  '‘single’', '— en – dash', '…', '\u00a0nbsp\u00a0', 'ideographic\u3000space', 'thin\u2009space',
  'zero\u200bwidth', 'soft\u00adhyphen', '\ufffd', 'tab\tand\u00a0nbsp',
  'https://example.com/path?query=1&b=2#frag', 'user@example.org', 'C:\\Users\\name\\file.txt',
  '{"key": "value", "n": [1, 2, 3]}', '<div class="x">Hi</div>', 'def f(x):\n    return x ** 2\n',
  'for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}', '$$\\frac{a}{b} = \\sqrt{x^2 + y^2}$$',
  '# Heading\n\n- item 1\n- item 2\n\n**bold** _italic_ `code`', 'snake_case_name camelCaseName',
  'ALLCAPS WORDS HERE', 'MiXeD cAsE tExT', '!!!???...', '---', '***', '=====', '(((())))', '[[]]{{}}',
  '    indented code', '\n\n\n\n\n', '      \n      ', '\t \t \t', ' \r\n \r\n ',
  'a\u0085b', 
];

const LLAMA3_SPECIAL = [
  '<|begin_of_text|>', '<|begin_of_text|>Hello', 'Hello<|end_of_text|>', 'a<|eot_id|>b',
  '<|eot_id|><|eot_id|>', ' <|eot_id|> ', 'text <|eot_id|>\n\nmore', '<|start_header_id|>user<|end_header_id|>\n\nQ: 2+2? Let\'s think step by step.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  '<|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>',
  '<|reserved_special_token_0|>', 'x<|reserved_special_token_100|>y', '<|eot_id', '<|not_a_token|>',
  '<|EOT_ID|>', '<|eot_id|', '< |eot_id| >', '<|eom_id|>', '<|python_tag|>',
];

const LLAMA2_SPECIAL = ['<s>', '</s>', '<unk>', 'Hello<s>world', 'a </s> b', '<s><s>', ' <s>', '<s> ', 'x</s>'];

const WORDS = ('the of and to in is was for on that with as by at from this be are it an or which ' +
  'answer question reasoning step think logical correct final true false option valid invalid ' +
  'tokenizer model gradient prompt optimization language sentence paragraph number object color ' +
  'Alice Bob Claire Monday January Paris London shelf book ball penguin museum').split(' ');
const CONTRACTIONS = ["'s", "'S", "'t", "'T", "'re", "'RE", "'ve", "'VE", "'m", "'M", "'ll", "'LL", "'d", "'D", "n't"];
const PUNCT = '.,!?;:()[]{}<>/\\|@#$%^&*+=~`"\'-_'.split('').concat(['...', '--', '->', '=>', '?!', '),', '."']);
const SPACES = [' ', ' ', ' ', '  ', '   ', '\t', '\t\t', '\n', '\n\n', '\r\n', '\r\n\r\n', ' \n', '\n ', '\u00a0', '\u3000', '    '];
const CJK_RANGES = [[0x4e00, 0x9fa5], [0x3041, 0x3096], [0x30a1, 0x30fa], [0xac00, 0xd7a3]];
const SCRIPT_WORDS = ['Привет', 'мир', 'Ελλάδα', 'مرحبا', 'שלום', 'नमस्ते', 'สวัสดี', 'Tiếng', 'Việt', 'Ünïcödé', 'naïve', 'Straße', 'façade', 'über'];
const EMOJI = ['🦙', '😀', '👍', '👍🏽', '🎉', '🚀', '🤖', '❤️', '✨', '🇯🇵', '👩‍💻', '🙂', '🔥', '💯', '☕'];

function pick(r, arr) { return arr[Math.floor(r() * arr.length)]; }
function randInt(r, lo, hi) { return lo + Math.floor(r() * (hi - lo + 1)); }

function fragment(r, specials) {
  const k = r();
  if (k < 0.30) {
    let w = pick(r, WORDS);
    const c = r();
    if (c < 0.15) w = w.toUpperCase(); else if (c < 0.35) w = w[0].toUpperCase() + w.slice(1);
    return w;
  }
  if (k < 0.36) return pick(r, WORDS) + pick(r, CONTRACTIONS);
  if (k < 0.46) {
    const n = randInt(r, 1, 12);
    let s = ''; for (let i = 0; i < n; i++) s += String(randInt(r, 0, 9));
    return r() < 0.2 ? s + '.' + randInt(r, 0, 999) : s;
  }
  if (k < 0.56) return pick(r, PUNCT);
  if (k < 0.64) return pick(r, SPACES);
  if (k < 0.72) {
    const [lo, hi] = pick(r, CJK_RANGES);
    let s = ''; const n = randInt(r, 1, 6);
    for (let i = 0; i < n; i++) s += String.fromCodePoint(randInt(r, lo, hi));
    return s;
  }
  if (k < 0.79) return pick(r, EMOJI);
  if (k < 0.84) return String.fromCodePoint(randInt(r, 0x1f300, 0x1f5ff));
  if (k < 0.91) return pick(r, SCRIPT_WORDS);
  if (k < 0.94 && specials.length) return pick(r, specials);
  if (k < 0.97) return String.fromCodePoint(randInt(r, 0xa1, 0x24f));  // Latin-1 and Latin Extended
  return pick(r, ['\u2581', '\ufffd', '\u200d', '\u00ad', '∑', '√', '…', '—']);
}

function randomStrings(seed, count, specials) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = randInt(r, 1, 30);
    let s = '';
    for (let j = 0; j < n; j++) {
      s += fragment(r, specials);
      if (r() < 0.55) s += ' ';
    }
    out.push(s);
  }
  return out;
}

function longStrings(seed) {
  const r = rng(seed);
  const para = BBH_LIKE.join('\n\n');
  const out = [para, para.repeat(3)];
  let s = '';
  while (s.length < 6000) s += fragment(r, []) + (r() < 0.6 ? ' ' : '');
  out.push(s);
  out.push(' '.repeat(300) + 'x' + '\n'.repeat(50) + '\t'.repeat(40) + '9'.repeat(200));
  out.push('🦙'.repeat(100) + '中'.repeat(200));
  return out;
}

function unique(list) { return [...new Set(list)]; }

function llama3Strings() {
  return unique([...HAND, ...BBH_LIKE, ...LLAMA3_SPECIAL, ...randomStrings(3, 430, LLAMA3_SPECIAL.slice(0, 8)), ...longStrings(33)]);
}

function llama2Strings() {
  return unique([...HAND, ...BBH_LIKE, ...LLAMA2_SPECIAL, ...randomStrings(2, 160, LLAMA2_SPECIAL.slice(0, 3)), ...longStrings(22)]);
}

module.exports = { llama3Strings, llama2Strings, BBH_LIKE };
