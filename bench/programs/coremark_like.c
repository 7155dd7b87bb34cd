// CoreMark-like: the four workloads CoreMark is made of, written here (not EEMBC's code, and
// its score is not a CoreMark score): linked-list search, reversal and merge sort; 16-bit
// matrix multiply-accumulate with bit extraction; a state machine scanning numbers in text;
// and a CRC-16 over every result. The argument is the number of iterations; each iteration
// seeds its data from the previous CRC, so no work can be hoisted out of the loop.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint16_t crc16_byte(uint8_t data, uint16_t crc) {
  for (int i = 0; i < 8; i++) {
    uint8_t x16 = (uint8_t)((data & 1) ^ (crc & 1));
    data >>= 1;
    if (x16) crc = (uint16_t)(((crc ^ 0x4002) >> 1) | 0x8000);
    else crc >>= 1;
  }
  return crc;
}
static uint16_t crc16(uint16_t value, uint16_t crc) {
  crc = crc16_byte((uint8_t)value, crc);
  return crc16_byte((uint8_t)(value >> 8), crc);
}

// ---- linked list ----
typedef struct Item {
  struct Item* next;
  int16_t key, value;
} Item;

enum { kItems = 96 };

static Item* list_reverse(Item* list) {
  Item* out = NULL;
  while (list) {
    Item* next = list->next;
    list->next = out;
    out = list;
    list = next;
  }
  return out;
}

static Item* list_find(Item* list, int16_t key) {
  while (list && list->key != key) list = list->next;
  return list;
}

// Bottom-up merge sort by value (or key), O(n log n) pointer moves, no allocation.
static Item* list_sort(Item* list, int by_key) {
  for (int width = 1;; width *= 2) {
    Item *p = list, *tail = NULL;
    list = NULL;
    int merges = 0;
    while (p) {
      merges++;
      Item* q = p;
      int psize = 0, qsize = width;
      for (int i = 0; i < width && q; i++) psize++, q = q->next;
      while (psize > 0 || (qsize > 0 && q)) {
        Item* e;
        int take_p;
        if (psize == 0) take_p = 0;
        else if (qsize == 0 || !q) take_p = 1;
        else take_p = by_key ? p->key <= q->key : p->value <= q->value;
        if (take_p) e = p, p = p->next, psize--;
        else e = q, q = q->next, qsize--;
        if (tail) tail->next = e;
        else list = e;
        tail = e;
      }
      p = q;
    }
    tail->next = NULL;
    if (merges <= 1) return list;
  }
}

static uint16_t list_work(Item* pool, uint16_t seed, uint16_t crc) {
  Item* list = NULL;
  for (int i = kItems - 1; i >= 0; i--) {
    pool[i].key = (int16_t)i;
    pool[i].value = (int16_t)((seed ^ (i * 0x1d3)) & 0x7fff);
    pool[i].next = list;
    list = &pool[i];
  }
  for (int i = 0; i < 24; i++) {
    Item* found = list_find(list, (int16_t)((seed + i * 7) % (kItems + 8)));
    crc = crc16(found ? (uint16_t)found->value : 0xffff, crc);
    list = list_reverse(list);
  }
  list = list_sort(list, 0);
  for (Item* p = list; p; p = p->next) crc = crc16((uint16_t)p->value, crc);
  list = list_sort(list, 1);
  return crc16((uint16_t)list->next->value, crc);
}

// ---- matrix ----
enum { kN = 24 };

static uint16_t matrix_work(int16_t a[kN][kN], int16_t b[kN][kN], int32_t c[kN][kN],
                            uint16_t seed, uint16_t crc) {
  for (int i = 0; i < kN; i++)
    for (int j = 0; j < kN; j++) {
      a[i][j] = (int16_t)((seed + i * kN + j) % 97 - 48);
      b[i][j] = (int16_t)((seed ^ (i * 31 + j * 17)) % 89 - 44);
    }
  int16_t add = (int16_t)(seed & 0xff);
  for (int i = 0; i < kN; i++)
    for (int j = 0; j < kN; j++) a[i][j] = (int16_t)(a[i][j] + add);
  for (int i = 0; i < kN; i++)
    for (int j = 0; j < kN; j++) {
      int32_t sum = 0;
      for (int k = 0; k < kN; k++) sum += (int32_t)a[i][k] * b[k][j];
      c[i][j] = sum;
    }
  int32_t acc = 0;
  for (int i = 0; i < kN; i++)
    for (int j = 0; j < kN; j++) {
      int32_t bits = (c[i][j] >> 2) & 0x0f;  // CoreMark's "extract bits" step
      acc += bits > 7 ? bits * 3 : c[i][j] & 0xff;
    }
  return crc16((uint16_t)acc, crc);
}

// ---- state machine ----
enum State { kStart, kInt, kFloat, kExponent, kScientific, kInvalid, kStates };

static enum State next_state(enum State s, char c) {
  int digit = c >= '0' && c <= '9';
  switch (s) {
    case kStart: return digit ? kInt : c == '.' ? kFloat : c == '-' || c == '+' ? kInt : kInvalid;
    case kInt: return digit ? kInt : c == '.' ? kFloat : c == 'e' || c == 'E' ? kExponent : kInvalid;
    case kFloat: return digit ? kFloat : c == 'e' || c == 'E' ? kExponent : kInvalid;
    case kExponent: return digit || c == '-' || c == '+' ? kScientific : kInvalid;
    case kScientific: return digit ? kScientific : kInvalid;
    default: return kInvalid;
  }
}

static uint16_t state_work(char* text, int size, uint16_t seed, uint16_t crc) {
  static const char* const tokens[] = {"5012", "1234", "-874", "+122", "35.54", ".1234", "-110.700",
                                       "+0.64", "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12",
                                       "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^"};
  int at = 0;
  for (int i = 0; at < size - 10; i++) {
    const char* t = tokens[(seed + i * 5) & 15];
    while (*t) text[at++] = *t++;
    text[at++] = ',';
  }
  text[at] = 0;
  uint32_t counts[kStates] = {0};
  for (int pass = 0; pass < 2; pass++) {
    enum State s = kStart;
    for (char* p = text; *p; p++) {
      if (*p == ',') {
        counts[s]++;
        s = kStart;
      } else {
        s = next_state(s, *p);
      }
    }
    // Corrupt every seventh character, as CoreMark does between its two passes.
    for (int i = (int)(seed % 7); i < at; i += 7)
      if (text[i] != ',') text[i] ^= 1;
  }
  for (int i = 0; i < kStates; i++) crc = crc16((uint16_t)counts[i], crc);
  return crc;
}

int main(int argc, char** argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 1000;
  Item* pool = malloc(sizeof(Item) * kItems);
  int16_t(*a)[kN] = malloc(sizeof(int16_t) * kN * kN);
  int16_t(*b)[kN] = malloc(sizeof(int16_t) * kN * kN);
  int32_t(*c)[kN] = malloc(sizeof(int32_t) * kN * kN);
  enum { kText = 512 };
  char* text = malloc(kText);
  uint16_t crc = 0;
  for (int i = 0; i < iterations; i++) {
    uint16_t seed = (uint16_t)(crc ^ i);
    crc = list_work(pool, seed, crc);
    crc = matrix_work(a, b, c, seed, crc);
    crc = state_work(text, kText, seed, crc);
  }
  printf("coremark_like: %d iterations, crc 0x%04x\n", iterations, crc);
  free(pool);
  free(a);
  free(b);
  free(c);
  free(text);
  return 0;
}
