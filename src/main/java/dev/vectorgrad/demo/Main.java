package dev.vectorgrad.demo;

import java.nio.file.Path;

/**
 * The main job, {@code ./mvnw -q exec:java}: the founding programs ({@link SeedPrograms}), then an MLP
 * trained on the bundled 8x8 digits ({@link Training#digits()}). Arguments ({@code -Dexec.args=...}):
 * <ul>
 *   <li>none: founding programs, then the digits;
 *   <li>{@code digits}: the digits only;
 *   <li>{@code fashion-mnist [DIR]}: an MLP trained on Fashion-MNIST from {@code DIR}, by default
 *       {@code /usr/share/datasets/fashion-mnist} (Debian's {@code dataset-fashion-mnist}).
 * </ul>
 * Each training ends with the line {@code test accuracy: 0.xxxx}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "";
    switch (what) {
      case "" -> {
        SeedPrograms.main(new String[0]);
        System.out.println();
        Training.digits();
      }
      case "digits" -> Training.digits();
      case "fashion-mnist" -> {
        if (!Training.fashionMnist(args.length > 1 ? Path.of(args[1]) : null)) System.exit(2);
      }
      default -> {
        System.err.println("unknown argument '" + what + "'; use: (nothing) | digits | fashion-mnist [DIR]");
        System.exit(2);
      }
    }
  }
}
