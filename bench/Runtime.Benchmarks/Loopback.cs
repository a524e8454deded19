using System;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace Bench;

/// <summary>A real TCP connection over 127.0.0.1: the client's and the server's <see cref="NetworkStream"/>.</summary>
public sealed class Loopback : IDisposable
{
    private readonly TcpClient _client;
    private readonly TcpClient _server;

    private Loopback(TcpClient client, TcpClient server)
    {
        _client = client;
        _server = server;
        Client = client.GetStream();
        Server = server.GetStream();
    }

    /// <summary>The client end (the side under test).</summary>
    public NetworkStream Client { get; }

    /// <summary>The server end (the peer).</summary>
    public NetworkStream Server { get; }

    public static Loopback Open()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient { NoDelay = true };
            Task connect = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            TcpClient server = listener.AcceptTcpClient();
            server.NoDelay = true;
            connect.GetAwaiter().GetResult();
            return new Loopback(client, server);
        }
        finally
        {
            listener.Stop();
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        _client.Dispose();
        _server.Dispose();
    }
}
