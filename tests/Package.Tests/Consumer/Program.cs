using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Consumer
{
    /// <summary>
    /// One live loopback handoff: a client sends the "UPGRADE" frame and the first raw bytes in one write (so they
    /// arrive in the same read), the server echoes the raw bytes, and the client checks it got back exactly those.
    /// </summary>
    internal static class Program
    {
        private static async Task<int> Main()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var raw = RandomNumberGenerator.GetBytes(1000);
            raw[0] = (byte)'R';   // never mistaken for a Pong frame header

            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            using var server = await listener.AcceptTcpClientAsync(timeout.Token);
            listener.Stop();

            var clientStream = client.GetStream();
            var upgrade = Encoding.ASCII.GetBytes("UPGRADE");
            var mask = RandomNumberGenerator.GetBytes(4);
            var write = new byte[2 + 4 + upgrade.Length + raw.Length];
            write[0] = 0x81;                                  // FIN, text
            write[1] = (byte)(0x80 | upgrade.Length);         // masked (client to server), short length
            mask.CopyTo(write, 2);
            for (var i = 0; i < upgrade.Length; i++)
            {
                write[6 + i] = (byte)(upgrade[i] ^ mask[i % 4]);
            }
            raw.CopyTo(write, 6 + upgrade.Length);
            await clientStream.WriteAsync(write, timeout.Token);

            var echo = new byte[raw.Length + 256];
            var reading = ReadToEndAsync(clientStream, echo, timeout.Token);
            try
            {
                await UnsafeHandoff.ServeAsync(server.GetStream(), raw.Length, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("handoff failed: the server never saw all the raw bytes (lost in the WebSocket's read-ahead)");
                return 1;
            }
            server.Client.Shutdown(SocketShutdown.Both);
            server.Close();

            var count = await reading;
            client.Dispose();

            return Check(raw, echo.AsSpan(0, count));
        }

        private static int Check(byte[] raw, ReadOnlySpan<byte> received)
        {
            // Keep-alive Pongs (8A 00) the server wrote before it reached the handoff point are WebSocket traffic,
            // which a client skips; from the first echoed byte on, the stream must be exactly the raw bytes.
            var start = 0;
            while (start + 1 < received.Length && received[start] == 0x8A && received[start + 1] == 0x00)
            {
                start += 2;
            }
            var echoed = received[start..];
            if (echoed.SequenceEqual(raw))
            {
                Console.WriteLine($"handoff ok: {raw.Length} raw bytes echoed byte-exact ({start / 2} keep-alive frames before the handoff point)");
                return 0;
            }
            Console.WriteLine($"handoff failed: sent {raw.Length} raw bytes, got {echoed.Length} back ({(echoed.Length > raw.Length ? "bytes injected" : echoed.Length < raw.Length ? "bytes lost" : "bytes differ")})");
            return 1;
        }

        private static async Task<int> ReadToEndAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
        {
            var count = 0;
            while (count < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                count += read;
            }
            return count;
        }
    }
}
