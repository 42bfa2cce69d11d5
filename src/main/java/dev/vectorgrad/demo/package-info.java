/** The main job ({@code ./mvnw -q exec:java}): the founding PyTorch program, ported line by line. */
package dev.vectorgrad.demo;
