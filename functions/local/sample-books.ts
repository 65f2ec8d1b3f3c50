/**
 * Books the project writes itself for the sample library, in Indonesian (the libraries of Kota Nusantara lend
 * mostly Indonesian books): a children's story, a folk tale retold in our own words and a short guide to the
 * library. The texts were written for this project and are free to use. shipped-samples.ts builds them into
 * EPUB 3 files, which the seed publishes like any upload.
 */
export interface SampleChapter {
  id: string;
  title: string;
  paragraphs: string[];
}

export interface SampleBook {
  /** The file name it is seeded as (and its key in the seed report). */
  fileName: string;
  identifier: string;
  title: string;
  language: string;
  creators: { name: string; role: 'aut' | 'edt' | 'ill' | 'trl' }[];
  subjects: string[];
  description: string;
  /** The cover's colours: background, the sun or moon, the ground. */
  palette: {
    sky: [number, number, number];
    disc: [number, number, number];
    ground: [number, number, number];
  };
  chapters: SampleChapter[];
}

export const indonesianBooks: SampleBook[] = [
  {
    fileName: 'penyu-kecil-mencari-laut.epub',
    identifier: 'urn:uuid:3f1c8a6e-2b7d-4e59-9a41-6c0d2e8b7f10',
    title: 'Penyu Kecil Mencari Laut',
    language: 'id',
    creators: [{ name: 'Tim Pustaka', role: 'aut' }],
    subjects: ['Sastra Anak', 'Cerita Bergambar', 'Alam'],
    description:
      'Buku cerita anak tentang seekor tukik yang menetas di pantai pada malam hari dan harus menemukan jalan ke laut. Cocok dibacakan untuk anak usia 4 sampai 8 tahun.',
    palette: { sky: [32, 58, 112], disc: [246, 226, 150], ground: [222, 196, 140] },
    chapters: [
      {
        id: 'bab1',
        title: 'Pasir yang Bergerak',
        paragraphs: [
          'Malam itu pasir di Pantai Sukamade bergerak sedikit demi sedikit. Dari dalam lubang kecil muncul kepala mungil berwarna abu-abu. Namanya Tiku, seekor tukik yang baru saja menetas.',
          'Tiku membuka matanya. Di atas ada bulan yang bulat, di depannya ada bunyi yang tidak pernah berhenti: byur, byur, byur. "Itu pasti rumahku," kata Tiku.',
        ],
      },
      {
        id: 'bab2',
        title: 'Lampu yang Menipu',
        paragraphs: [
          'Di belakang pantai ada warung yang lampunya terang sekali. Beberapa saudara Tiku berjalan ke arah lampu itu, karena mereka kira lampu itu bulan.',
          'Seekor kepiting tua berbisik, "Jangan ikuti lampu, Nak. Laut selalu berada di tempat yang lebih rendah, dan cahayanya lembut." Tiku berterima kasih, lalu memanggil saudara-saudaranya.',
        ],
      },
      {
        id: 'bab3',
        title: 'Ombak Pertama',
        paragraphs: [
          'Tiku berjalan terus, walaupun kakinya lelah. Akhirnya ombak pertama menyentuh tubuhnya. Airnya dingin dan asin, dan Tiku merasa ringan.',
          'Sambil berenang, Tiku berjanji: suatu hari nanti ia akan kembali ke pantai ini. Dan para penjaga pantai berjanji mematikan lampu warung setiap musim penyu bertelur.',
        ],
      },
    ],
  },
  {
    fileName: 'kancil-dan-buaya.epub',
    identifier: 'urn:uuid:9a7e4d21-5c3b-4f08-8e6a-1b2c3d4e5f60',
    title: 'Kancil dan Buaya',
    language: 'id',
    creators: [{ name: 'Tim Pustaka', role: 'aut' }],
    subjects: ['Cerita Rakyat', 'Sastra Anak', 'Fabel'],
    description:
      'Cerita rakyat Nusantara yang diceritakan kembali dengan kata-kata sendiri: Kancil yang cerdik ingin menyeberangi sungai dan menghitung para buaya. Buku bacaan untuk anak dan keluarga.',
    palette: { sky: [236, 170, 84], disc: [255, 240, 200], ground: [60, 120, 88] },
    chapters: [
      {
        id: 'bab1',
        title: 'Di Tepi Sungai',
        paragraphs: [
          'Di sebuah hutan tinggal seekor kancil yang kecil tetapi cerdik. Suatu siang ia melihat pohon rambutan yang buahnya merah di seberang sungai.',
          'Sungai itu lebar dan deras, dan di dalamnya tinggal banyak buaya yang sedang lapar. Kancil duduk di atas batu dan berpikir lama.',
        ],
      },
      {
        id: 'bab2',
        title: 'Perintah Raja',
        paragraphs: [
          '"Hai, Buaya!" seru Kancil. "Raja hutan akan mengadakan pesta, dan aku disuruh menghitung kalian semua supaya setiap buaya mendapat bagian daging."',
          'Para buaya senang sekali. Mereka berbaris dari tepi sungai yang satu sampai ke tepi yang lain, punggung mereka seperti jembatan yang panjang.',
        ],
      },
      {
        id: 'bab3',
        title: 'Satu, Dua, Tiga',
        paragraphs: [
          'Kancil melompat dari punggung ke punggung sambil berhitung: "Satu, dua, tiga, empat ..." Ketika sampai di seberang, ia melompat ke tanah.',
          '"Terima kasih, Buaya! Sebenarnya tidak ada pesta," kata Kancil sambil tertawa. Para buaya marah, tetapi Kancil sudah berlari ke pohon rambutan.',
          'Orang tua yang menceritakan kisah ini biasanya bertanya kepada anak-anak: apakah Kancil cerdik, atau apakah ia tidak jujur? Bagaimana menurutmu?',
        ],
      },
    ],
  },
  {
    fileName: 'panduan-perpustakaan-digital.epub',
    identifier: 'urn:uuid:c4d5e6f7-8091-4a2b-b3c4-d5e6f7a8b9c0',
    title: 'Panduan Singkat Perpustakaan Digital Kota Nusantara',
    language: 'id',
    creators: [
      { name: 'Tim Pustaka', role: 'aut' },
      { name: 'Pustakawan Utama', role: 'edt' },
    ],
    subjects: ['Perpustakaan', 'Panduan', 'Literasi Digital'],
    description:
      'Buku panduan singkat untuk anggota perpustakaan: cara meminjam buku elektronik, membaca di peramban, mengantre buku yang sedang dipinjam, dan mengembalikannya lebih awal.',
    palette: { sky: [24, 96, 104], disc: [250, 250, 244], ground: [18, 62, 70] },
    chapters: [
      {
        id: 'bab1',
        title: 'Kartu Anggota',
        paragraphs: [
          'Setiap warga Kota Nusantara dapat menjadi anggota perpustakaan. Dengan nomor kartu dan PIN, Anda masuk ke katalog dari ponsel atau komputer.',
          'Jaga PIN Anda seperti PIN bank. Jika salah memasukkan PIN terlalu sering, kartu dikunci sebentar demi keamanan.',
        ],
      },
      {
        id: 'bab2',
        title: 'Meminjam dan Membaca',
        paragraphs: [
          'Cari buku di katalog dengan judul, nama pengarang atau subjek, misalnya "sastra anak" atau "cerita rakyat". Tekan Pinjam, lalu Baca.',
          'Buku dibaca langsung di peramban. Posisi baca Anda disimpan, jadi Anda dapat melanjutkan di perangkat lain.',
        ],
      },
      {
        id: 'bab3',
        title: 'Antrean dan Pengembalian',
        paragraphs: [
          'Jika semua salinan sedang dipinjam, Anda dapat mengantre. Perpustakaan akan memberi tahu Anda ketika buku siap dipinjam.',
          'Masa pinjam berakhir dengan sendirinya. Anda juga dapat mengembalikan buku lebih awal supaya pembaca berikutnya tidak menunggu lama.',
        ],
      },
    ],
  },
];
