package io.vectorgate.harness.junit;

import io.vectorgate.harness.PolicyHarness;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link PolicyHarness} parameters for classes annotated with {@link VectorgatePolicy}. The
 * harness is built once per test class, kept in the class's extension store and closed with it.
 */
public final class VectorgatePolicyExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VectorgatePolicyExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == PolicyHarness.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    Class<?> testClass = c.getRequiredTestClass();
    VectorgatePolicy a = findAnnotation(testClass);
    if (a == null) {
      throw new ExtensionConfigurationException(testClass.getName() + " needs @VectorgatePolicy to receive a PolicyHarness");
    }
    ExtensionContext classContext = classContext(c, testClass);
    return classContext.getStore(NS).getOrComputeIfAbsent(testClass.getName(), k -> open(a), PolicyHarness.class);
  }

  private static ExtensionContext classContext(ExtensionContext c, Class<?> testClass) {
    ExtensionContext cur = c;
    while (cur.getParent().isPresent() && !(cur.getTestMethod().isEmpty() && cur.getTestClass().orElse(null) == testClass)) {
      cur = cur.getParent().get();
    }
    return cur;
  }

  private static VectorgatePolicy findAnnotation(Class<?> cls) {
    for (Class<?> k = cls; k != null; k = k.getEnclosingClass()) {
      VectorgatePolicy a = k.getAnnotation(VectorgatePolicy.class);
      if (a != null) {
        return a;
      }
    }
    return null;
  }

  static PolicyHarness open(VectorgatePolicy a) {
    String base = System.getProperty("vectorgate.policy.base");
    String spec = a.value();
    if (base != null && !spec.startsWith("git:") && !Path.of(spec).isAbsolute()) {
      spec = Path.of(base).resolve(spec).toString();
    }
    Path repo = Path.of(base != null ? base : ".").toAbsolutePath();
    PolicySource source = PolicySource.parse(spec, repo, "");
    return PolicyHarness.open(source, PolicyLoader.fromEnvironment(a.withLibrary()), a.threads());
  }
}
