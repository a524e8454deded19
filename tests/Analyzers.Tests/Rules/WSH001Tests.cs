using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using WebSocketHandoff.Analyzers.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH001Tests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        private static Task VerifyAsync(string code) => Verify.VerifyAsync(Usings + code);

        [Fact]
        public Task Write_to_the_transport_after_the_creation_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] buffer)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, default);
        await {|WSH001:stream.WriteAsync(buffer, 0, buffer.Length)|};
    }
}");
    
        [Fact]
        public async Task Diagnostic_carries_the_handoff_plan()
        {
            var source = Usings + @"
class C
{
    async Task M(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        var result = await ws.ReceiveAsync(buffer, ct);
        if (result.MessageType == WebSocketMessageType.Close) return;
        await stream.WriteAsync(buffer, 0, 10, ct);
        var n = await stream.ReadAsync(buffer, ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}";
            var diagnostics = await Verify.GetDiagnosticsAsync(source);
            Assert.Equal(2, diagnostics.Length);
            foreach (var diagnostic in diagnostics)
            {
                var locations = diagnostic.AdditionalLocations.Select(l => source.Substring(l.SourceSpan.Start, l.SourceSpan.Length)).ToArray();
                Assert.Equal(
                    new[]
                    {
                        "WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))",
                        "await stream.WriteAsync(buffer, 0, 10, ct);",
                        "stream",
                        "stream",
                        "ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)",
                    },
                    locations);
                Assert.Equal(diagnostics[0].AdditionalLocations[2].SourceSpan.Start, diagnostics[0].Location.SourceSpan.Start);
                Assert.Equal("Bcl", diagnostic.Properties["CreationKind"]);
                Assert.Equal("true", diagnostic.Properties["CanAwait"]);
                Assert.Equal("2", diagnostic.Properties["RootCount"]);
                Assert.Equal("1", diagnostic.Properties["CloseCount"]);
                Assert.Equal("true", diagnostic.Properties["Fixable"]);
            }
        }
    }
}
