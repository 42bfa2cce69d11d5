package dev.vectorgrad.testsupport;

import dev.vectorgrad.TensorScope;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs every test of a class inside its own {@link TensorScope} ({@code @ExtendWith(ScopePerTest.class)}):
 * the tensors a test makes are released when it ends, whatever it asserts.
 */
public final class ScopePerTest implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ScopePerTest.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NAMESPACE).put("scope", TensorScope.open());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    context.getStore(NAMESPACE).remove("scope", TensorScope.class).close();
  }
}
