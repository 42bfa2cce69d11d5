/**
 * Neural-network building blocks, as {@code torch.nn}: {@link dev.vectorgrad.nn.Functional} holds
 * the stateless functions of {@code torch.nn.functional}.
 */
package dev.vectorgrad.nn;
