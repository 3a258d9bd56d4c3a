/* cdpcli.c - placeholder until the client lands. */
int main(void);
int main(void) { return 0; }
