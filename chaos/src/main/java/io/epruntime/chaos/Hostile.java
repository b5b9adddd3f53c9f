package io.epruntime.chaos;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.PoisonPill;

/**
 * What a stranger without the cluster key throws at a node: the 19-byte Artery frame that wedged
 * Pekko 1.7.0, garbage and truncated bytes on the remoting port, random datagrams on the Aeron
 * port, and {@code PoisonPill}s to its actors from a plain-TCP actor system.
 */
final class Hostile {
  private Hostile() {}

  static void attack(String host, int remoting, int aeron, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    ByteBuffer wedge = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
    wedge.put("AKKA".getBytes(StandardCharsets.US_ASCII)).put((byte) 2).putInt(0x7FFFFFFF).put(new byte[10]);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + rnd.nextInt(4096)];
      rnd.nextBytes(junk);
      send(host, remoting, i % 2 == 0 ? wedge.array() : junk);
    }
    try (DatagramSocket udp = new DatagramSocket()) {
      InetAddress to = InetAddress.getByName(host);
      for (int i = 0; i < 500; i++) {
        byte[] junk = new byte[8 + rnd.nextInt(1400)];
        rnd.nextBytes(junk);
        udp.send(new DatagramPacket(junk, junk.length, to, aeron));
      }
    }
    ActorSystem stranger = ActorSystem.create("stranger", ConfigFactory.parseString(String.join("\n",
        "pekko.actor.provider = remote", "pekko.remote.artery.transport = tcp", "pekko.remote.artery.canonical.port = 0",
        "pekko.remote.warn-about-direct-use = off", "pekko.remote.use-unsafe-remote-features-outside-cluster = on",
        "pekko.coordinated-shutdown.exit-jvm = off", "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
        "pekko.loglevel = ERROR")).withFallback(ConfigFactory.defaultReference()));
    try {
      for (String path : new String[] {"/user/rank", "/user/gateway", "/system/singletonManagercoordinator"}) {
        stranger.actorSelection("pekko://ep@" + host + ":" + remoting + path).tell(PoisonPill.getInstance(), ActorRef.noSender());
      }
    } finally {
      stranger.terminate();
    }
  }

  private static void send(String host, int port, byte[] bytes) {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException refused) {
      // the node closing on us is what it should do
    }
  }
}
