using System;
using System.IO;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>Helpers for the review tests: TLS pairs and wire parsing.</summary>
internal static class ReviewHelpers
{
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
    }

    /// <summary>TLS over the loopback pair: (local = server side, remote = client side).</summary>
    public static async Task<(SslStream Local, SslStream Remote)> TlsAsync(Loopback lb)
    {
        using X509Certificate2 certificate = CreateSelfSignedCertificate();
        var local = new SslStream(lb.LocalStream);
        var remote = new SslStream(lb.RemoteStream, false, (_, _, _, _) => true);
        await Task.WhenAll(
            local.AuthenticateAsServerAsync(certificate),
            remote.AuthenticateAsClientAsync("localhost")).Within();
        return (local, remote);
    }

    public static byte[] Sha256(byte[] bytes) => SHA256.HashData(bytes);

    /// <summary>Reads frames off a raw stream until a data frame with FIN; returns all frames read.</summary>
    public static Task<System.Collections.Generic.List<Frames.Frame>> ReadUntilFinalAsync(Stream stream) => Frames.ReadUntilFinalAsync(stream);

    /// <summary>Receives one whole message through a given small buffer size, using the ArraySegment overload.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageSegmentsAsync(WebSocket ws, int chunk)
    {
        using var message = new MemoryStream();
        var buffer = new byte[chunk];
        while (true)
        {
            WebSocketReceiveResult result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer), Bounded.Token()).Within();
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
