using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Bridge
{
    /// <summary>
    /// Runs the same live loopback session through both bridges and reports, measured, what reached the backend and
    /// what came back to the client.
    /// </summary>
    internal static class Program
    {
        private delegate Task BridgeHandler(TcpClient connection, CancellationToken cancellationToken);

        private static async Task<int> Main()
        {
            var first = RandomNumberGenerator.GetBytes(100);
            var later = RandomNumberGenerator.GetBytes(900);
            var pause = TimeSpan.FromMilliseconds(450);

            Console.WriteLine("WebSocket-to-TCP bridge, live on loopback.");
            Console.WriteLine($"The client sends CONNECT with {first.Length} raw bytes in the same write, then {later.Length} more " +
                $"raw bytes {pause.TotalMilliseconds:0} ms later; the bridge's keep-alive interval is {BridgeProtocol.KeepAliveInterval.TotalMilliseconds:0} ms.");
            Console.WriteLine();

            await RunAsync("UnsafeBridge  (BCL WebSocket, then the transport used raw)", UnsafeBridge.HandleAsync, first, later, pause);
            var exact = await RunAsync("HandoffBridge (HandoffWebSocket.SendAndDetachAsync)", HandoffBridge.HandleAsync, first, later, pause);
            return exact ? 0 : 1;
        }

        /// <returns>Whether every raw byte went through both ways, exactly, with nothing added.</returns>
        private static async Task<bool> RunAsync(string name, BridgeHandler bridge, byte[] first, byte[] later, TimeSpan pause)
        {
            Console.WriteLine(name);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var backend = new EchoBackend();
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var backendSession = backend.ServeOneAsync(timeout.Token);
                var client = PipeliningClient.RunAsync((IPEndPoint)listener.LocalEndpoint, backend.EndPoint, first, later, pause, timeout.Token);
                var bridgeSession = Task.Run(async () =>
                {
                    using var connection = await listener.AcceptTcpClientAsync(timeout.Token);
                    await bridge(connection, timeout.Token);
                });

                await bridgeSession;
                var atBackend = await backendSession;
                var atClient = await client;
                return Report(Concat(first, later), atBackend, atClient);
            }
            catch (Exception e) when (e is OperationCanceledException or System.IO.IOException or SocketException or NotImplementedException or InvalidOperationException)
            {
                Console.WriteLine($"  the session failed: {e.GetType().Name}: {e.Message}");
                Console.WriteLine();
                return false;
            }
            finally
            {
                listener.Stop();
            }
        }

        private static bool Report(byte[] sent, byte[] atBackend, byte[] atClient)
        {
            var lost = sent.Length - atBackend.Length;
            var backendExact = atBackend.AsSpan().SequenceEqual(sent);
            Console.WriteLine(backendExact
                ? $"  backend received all {sent.Length} raw bytes, byte-exact"
                : $"  backend received {atBackend.Length} of {sent.Length} raw bytes: {Math.Max(lost, 0)} lost (kept in the WebSocket's read-ahead buffer)");

            // What the client read: WebSocket frames up to and including OK (a client's WebSocket skips the keep-alive
            // Pongs among them), then raw bytes. The backend echoes exactly what it got, so anything else in the raw
            // part was written by the WebSocket layer after the switch.
            var rawStart = BridgeProtocol.EndOfOkFrame(atClient);
            var rawPart = rawStart < 0 ? atClient : atClient[rawStart..];
            var injected = rawPart.Length - atBackend.Length;
            var clientExact = rawStart >= 0 && rawPart.AsSpan().SequenceEqual(atBackend);
            Console.WriteLine(clientExact
                ? $"  client received the OK frame, then all {atBackend.Length} echoed bytes, byte-exact, nothing injected"
                : $"  client received {rawPart.Length} raw bytes after {(rawStart < 0 ? "no OK frame" : "the OK frame")} for {atBackend.Length} echoed bytes: " +
                  $"{Math.Max(injected, 0)} injected (keep-alive Pong and Close frames written into the raw stream)" +
                  (injected <= 0 ? ", and the bytes differ" : string.Empty));

            var delivered = backendExact && clientExact;
            Console.WriteLine(delivered
                ? "  => every byte delivered, in order, both ways"
                : $"  => {Math.Max(lost, 0)} bytes lost, {Math.Max(injected, 0)} bytes injected");
            Console.WriteLine();
            return delivered;
        }

        private static byte[] Concat(byte[] a, byte[] b)
        {
            var all = new byte[a.Length + b.Length];
            a.CopyTo(all, 0);
            b.CopyTo(all, a.Length);
            return all;
        }
    }
}
