using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Bridge
{
    /// <summary>
    /// The client, scripted byte for byte so both bridges face the same wire: like many tunnel clients it sends the
    /// first bytes of the tunnelled stream right behind its CONNECT message, in the same write, without waiting for
    /// the OK; more bytes follow later, while the bridge's keep-alive timer runs.
    /// </summary>
    internal static class PipeliningClient
    {
        public static async Task<byte[]> RunAsync(IPEndPoint bridge, IPEndPoint backend, byte[] first, byte[] later, TimeSpan pause, CancellationToken cancellationToken)
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(bridge, cancellationToken);
            var stream = client.GetStream();
            var reading = ReadToEndAsync(stream, cancellationToken);

            var connect = BridgeProtocol.ConnectFrame(backend);
            var firstWrite = new byte[connect.Length + first.Length];
            connect.CopyTo(firstWrite, 0);
            first.CopyTo(firstWrite, connect.Length);
            await stream.WriteAsync(firstWrite, cancellationToken);

            await Task.Delay(pause, cancellationToken);
            await stream.WriteAsync(later, cancellationToken);
            client.Client.Shutdown(SocketShutdown.Send);

            // Everything the bridge sent back: the OK frame, then (if all goes well) the echo and nothing else.
            return await reading;
        }

        private static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var received = new MemoryStream();
            await stream.CopyToAsync(received, cancellationToken);
            return received.ToArray();
        }
    }
}
