using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Bridge
{
    /// <summary>The TCP service behind the bridge: echoes every byte and keeps a copy of what it received.</summary>
    internal sealed class EchoBackend : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public EchoBackend() => _listener.Start();

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        /// <summary>Serves one connection until the bridge half-closes it; returns the bytes received.</summary>
        public async Task<byte[]> ServeOneAsync(CancellationToken cancellationToken)
        {
            using var connection = await _listener.AcceptTcpClientAsync(cancellationToken);
            var stream = connection.GetStream();
            var received = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            connection.Client.Shutdown(SocketShutdown.Send);
            return received.ToArray();
        }

        public void Dispose() => _listener.Stop();
    }
}
