namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>Usings shared by the review tests (real-world shapes of WebSocket → raw bytes code).</summary>
    internal static class ReviewSources
    {
        public const string Usings = @"
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";
    }
}
