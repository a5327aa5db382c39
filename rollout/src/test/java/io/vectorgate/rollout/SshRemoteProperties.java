package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * SSH remote parsing: valid remotes round-trip in both forms; embedded passwords, option
 * injection, shell characters and bad ports are refused; no input makes the parser throw
 * anything but a clear IllegalArgumentException.
 */
class SshRemoteProperties {

  @Provide
  Arbitrary<String> hosts() {
    Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12)
        .map(s -> Character.isLetterOrDigit(s.charAt(0)) ? s : "a" + s);
    Arbitrary<String> name = label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
    Arbitrary<String> ipv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
        .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    return Arbitraries.oneOf(name, ipv4, Arbitraries.of("::1", "fe80::1", "2001:db8::42"));
  }

  @Provide
  Arbitrary<String> users() {
    return Arbitraries.strings().withCharRange('a', 'z').withChars('_', '.', '-').ofMinLength(1).ofMaxLength(20)
        .filter(s -> !s.startsWith("-"));
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('_', '.', '-')
        .ofMinLength(1).ofMaxLength(15).filter(s -> !s.startsWith("-"));
    return segment.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
  }

  @Property
  void urlFormRoundTrips(@ForAll("users") String user, @ForAll("hosts") String host,
      @ForAll @IntRange(min = 1, max = 65_535) int port, @ForAll("paths") String path) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    String url = "ssh://" + user + "@" + h + ":" + port + "/" + path;
    SshRemote r = SshRemote.parse(url, "fallback");
    assertEquals(new SshRemote(SshRemote.Form.URL, user, host, port, "/" + path), r);
    assertTrue(SshRemote.isSsh(url));
    assertEquals(r, SshRemote.parse(r.toGitUri(), "other"));
    assertEquals(port == 22 ? host : "[" + host + "]:" + port, r.knownHostsName());
  }

  @Property
  void scpFormRoundTrips(@ForAll("users") String user, @ForAll("hosts") String host, @ForAll("paths") String path) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    String scp = user + "@" + h + ":" + path;
    assertTrue(SshRemote.isSsh(scp));
    SshRemote r = SshRemote.parse(scp, "fallback");
    assertEquals(new SshRemote(SshRemote.Form.SCP, user, host, 22, path), r);
    assertEquals(r, SshRemote.parse(r.toGitUri(), "other"));
    SshRemote noUser = SshRemote.parse(h + ":" + path, "deploy");
    assertEquals("deploy", noUser.user());
  }

  @Property
  void embeddedPasswordsAreRefusedWithoutEcho(@ForAll("users") String user, @ForAll("hosts") String host,
      @ForAll @StringLength(min = 1, max = 30) String password, @ForAll("paths") String path) {
    String pw = "pw" + password.replaceAll("[@/:\\s\\p{Cntrl}?#\\[\\]]", "x");
    String h = host.contains(":") ? "[" + host + "]" : host;
    for (String uri : new String[] {"ssh://" + user + ":" + pw + "@" + h + "/" + path,
        user + ":" + pw + "@" + h + ":" + path}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SshRemote.parse(uri, "git"));
      assertFalse(e.getMessage().contains(pw), e.getMessage());
      if (!pw.chars().anyMatch(Character::isWhitespace)) {
        assertTrue(e.getMessage().contains("password") || e.getMessage().contains("whitespace"), e.getMessage());
      }
    }
  }

  @Property
  void portsOutsideTheRangeAreRefused(@ForAll("hosts") String host, @ForAll("badPorts") String port) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SshRemote.parse("ssh://git@" + h + ":" + port + "/repo.git", "git"));
    assertTrue(e.getMessage().contains("port") || e.getMessage().contains("whitespace"), e.getMessage());
  }

  @Provide
  Arbitrary<String> badPorts() {
    return Arbitraries.oneOf(Arbitraries.integers().between(65_536, Integer.MAX_VALUE).map(String::valueOf),
        Arbitraries.of("0", "00000", "-1", "+22", "22a", "0x16", "", "999999", "2 2", "１２"));
  }

  @Property
  void optionInjectionIsRefused(@ForAll("injections") String uri) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SshRemote.parse(uri, "git"));
    assertTrue(e.getMessage().contains("`-`") || e.getMessage().contains("refused")
        || e.getMessage().contains("whitespace") || e.getMessage().contains("not a valid")
        || e.getMessage().startsWith("not an ssh URL"), e.getMessage());
  }

  @Provide
  Arbitrary<String> injections() {
    Arbitrary<String> option = Arbitraries.of("-oProxyCommand=touch /tmp/pwned", "-oProxyCommand=nc%20evil%2022",
        "-oLocalCommand=id", "--upload-pack=touch x", "-F/dev/null", "-p2222");
    return option.flatMap(o -> Arbitraries.of(
        "ssh://" + o + "/repo.git",
        "ssh://git@" + o + "/repo.git",
        "ssh://" + o + "@host/repo.git",
        "ssh://git@host/" + o,
        o + ":repo.git",
        "git@" + o + ":repo.git",
        "git@host:" + o,
        "git@host:repo.git;" + o,
        "git@host:$(" + o + ")",
        "git@host:`" + o + "`",
        "ssh://git@host:22/repo.git|" + o));
  }

  @Property(tries = 2000)
  void arbitraryInputEitherParsesSafelyOrFailsClearly(@ForAll("hostile") String uri) {
    SshRemote r;
    try {
      r = SshRemote.parse(uri, "git");
    } catch (IllegalArgumentException e) {
      assertFalse(e.getMessage().isBlank());
      assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), "control characters are escaped: " + e.getMessage());
      return;
    }
    String g = r.toGitUri();
    assertTrue(g.chars().noneMatch(c -> c <= 0x20 || "'\"`$;|&<>\\".indexOf(c) >= 0), g);
    assertFalse(r.host().startsWith("-") || r.user().startsWith("-"), g);
    assertEquals(r, SshRemote.parse(g, "git"));
  }

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> chunk = Arbitraries.oneOf(
        Arbitraries.of("ssh://", "git@", "@", ":", "/", "[", "]", "::1", "-o", "ProxyCommand=", "host", "127.0.0.1",
            ":22", ":65536", ":0", "repo.git", " ", "\n", "\u0000", "%2F", "..", "?", "#", "git+ssh://", ";", "$(", "`"),
        Arbitraries.strings().ofMaxLength(6));
    return Combinators.combine(chunk.list().ofMinSize(1).ofMaxSize(8), Arbitraries.just(""))
        .as((parts, x) -> String.join("", parts));
  }

  @Example
  void localPathsAndOtherSchemesAreNotSsh() {
    assertFalse(SshRemote.isSsh("/srv/git/policies"));
    assertFalse(SshRemote.isSsh("policies/repo"));
    assertFalse(SshRemote.isSsh("./a:b"));
    assertFalse(SshRemote.isSsh("https://git.example/acme/p.git"));
    assertFalse(SshRemote.isSsh("file:///srv/git/p"));
    assertTrue(SshRemote.isSsh("git@github.com:acme/policies.git"));
    assertTrue(SshRemote.isSsh("SSH://git@host/p"));
    assertTrue(SshRemote.isSsh("git+ssh://git@host/p"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("git+ssh://git@host/p", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@host/p?x=1", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@host", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@host:22/", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://a@b@host/p", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@[::1/p", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@[nothex]/p", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@ho_st/p", "git"));
    assertThrows(IllegalArgumentException.class, () -> SshRemote.parse("ssh://git@host/" + "a".repeat(3000), "git"));
  }
}
