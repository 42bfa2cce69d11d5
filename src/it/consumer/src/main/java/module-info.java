/** The consumer integration test: a module that reads vectorgrad as a library. */
module consumer {
  requires dev.vectorgrad;
}
