import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/** Starts DynamoDB Local bound to 127.0.0.1 only; its own runner listens on every interface. */
public class DynamoDBLocalLoopback {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
      if (!Server.class.isAssignableFrom(field.getType())) continue;
      field.setAccessible(true);
      for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
        if (connector instanceof ServerConnector serverConnector) serverConnector.setHost("127.0.0.1");
      }
    }
    proxy.start();
    proxy.join();
  }
}
