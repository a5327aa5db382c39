package io.vectorgate.proxy.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectorgate.cli.dev.DevIdp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * `vectorgate dev idp` serves the demo's users (DemoMain, in the proxy's test fixtures, which the CLI
 * cannot depend on at run time) with the same groups and tenants, then the admin API's reader and operator.
 * Lives in DemoMain's package to read its list.
 */
class DevIdpPersonasTest {
  @Test
  void devIdpPersonasAreTheDemoUsersThenTheAdminApiPersonas() {
    List<String> demo = DemoMain.USERS.stream().map(u -> u.name() + u.groups() + u.tenant() + u.shows()).toList();
    List<DevIdp.Persona> dev = DevIdp.samplePersonas();
    assertEquals(demo, dev.subList(0, demo.size()).stream().map(p -> p.subject() + p.groups() + p.tenant() + p.role())
        .toList());
    assertEquals(List.of("rita[sre]", "otto[policy-admins]"), dev.subList(demo.size(), dev.size()).stream()
        .map(p -> p.subject() + p.groups()).toList());
  }
}
