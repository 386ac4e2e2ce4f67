import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 only (its own runner listens on every interface), on a port the OS
 * picks when it binds, and prints "listening on 127.0.0.1:PORT". Choosing a free port beforehand and binding it
 * later races every other process on the machine for that port. Its CLI refuses port 0, so the caller passes
 * any valid `-port` and the connectors are set to 0 here.
 */
public class DynamoDBLocalLoopback {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    List<ServerConnector> connectors = new ArrayList<>();
    for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
      if (!Server.class.isAssignableFrom(field.getType())) continue;
      field.setAccessible(true);
      for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
        if (connector instanceof ServerConnector serverConnector) {
          serverConnector.setHost("127.0.0.1");
          serverConnector.setPort(0);
          connectors.add(serverConnector);
        }
      }
    }
    proxy.start();
    for (ServerConnector connector : connectors)
      System.out.println("listening on 127.0.0.1:" + connector.getLocalPort());
    proxy.join();
  }
}
