// String processing over stdin: word frequencies, sorted, with malloc'd buffers.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char* word; int count; } Entry;

static int by_count(const void* a, const void* b) {
  const Entry* x = a; const Entry* y = b;
  if (x->count != y->count) return y->count - x->count;
  return strcmp(x->word, y->word);
}

int main(void) {
  Entry* table = NULL;
  int n = 0, cap = 0;
  char word[128];
  int len = 0, c;
  long chars = 0;
  do {
    c = getchar();
    if (c != EOF) chars++;
    if (c != EOF && isalpha(c) && len < 127) { word[len++] = (char)tolower(c); continue; }
    if (len == 0) continue;
    word[len] = 0; len = 0;
    int i = 0;
    while (i < n && strcmp(table[i].word, word)) i++;
    if (i == n) {
      if (n == cap) { cap = cap ? cap * 2 : 16; table = realloc(table, cap * sizeof *table); }
      table[n].word = strdup(word); table[n].count = 0; n++;
    }
    table[i].count++;
  } while (c != EOF);
  qsort(table, n, sizeof *table, by_count);
  printf("%ld chars, %d distinct words\n", chars, n);
  for (int i = 0; i < n && i < 10; i++) printf("%4d %s\n", table[i].count, table[i].word);
  return 0;
}
